#!/usr/bin/env bash
# EBS volumes — the learner's part (the old host and its scratch volume are set up by `awslabs start`;
# choosing types and rejecting invalid volumes are done by `awslabs check`).
RUN='{Key=awslabs:lab,Value=ebs-volumes},{Key=awslabs:run,Value=practice}'
BY_RUN='Name=tag:awslabs:lab,Values=ebs-volumes Name=tag:awslabs:run,Values=practice'
tags() { echo "ResourceType=$1,Tags=[$RUN${2:+,{Key=Name,Value=$2\}}]"; }   # tags volume gp3 -> …Name=gp3

# -- 1. a VPC, and a subnet in an availability zone that offers t3.nano
VPC=$(aws ec2 create-vpc --cidr-block 10.44.0.0/16 --tag-specifications "$(tags vpc)" --query Vpc.VpcId --output text)
AZ=$(aws ec2 describe-instance-type-offerings --location-type availability-zone \
     --filters Name=instance-type,Values=t3.nano --query 'sort(InstanceTypeOfferings[].Location)[0]' --output text)
SUBNET=$(aws ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.44.1.0/24 --availability-zone "$AZ" \
         --tag-specifications "$(tags subnet)" --query Subnet.SubnetId --output text)

# -- 2. one volume of each type, in the subnet's AZ, named after its type
GP3=$(aws ec2 create-volume --availability-zone "$AZ" --volume-type gp3 --size 8 --iops 3000 --throughput 250 \
      --tag-specifications "$(tags volume gp3)" --query VolumeId --output text)
IO2=$(aws ec2 create-volume --availability-zone "$AZ" --volume-type io2 --size 4 --iops 200 \
      --tag-specifications "$(tags volume io2)" --query VolumeId --output text)
ST1=$(aws ec2 create-volume --availability-zone "$AZ" --volume-type st1 --size 125 \
      --tag-specifications "$(tags volume st1)" --query VolumeId --output text)
SC1=$(aws ec2 create-volume --availability-zone "$AZ" --volume-type sc1 --size 125 \
      --tag-specifications "$(tags volume sc1)" --query VolumeId --output text)
aws ec2 wait volume-available --volume-ids "$GP3" "$IO2" "$ST1" "$SC1"

# -- 3. snapshot the gp3 volume, wait for it, restore it as gp3 at 4000 IOPS / 500 MiB/s
SNAP=$(aws ec2 create-snapshot --volume-id "$GP3" --description "awslabs ebs-volumes" \
       --tag-specifications "$(tags snapshot gp3)" --query SnapshotId --output text)
aws ec2 wait snapshot-completed --snapshot-ids "$SNAP"
RESTORED=$(aws ec2 create-volume --availability-zone "$AZ" --snapshot-id "$SNAP" --volume-type gp3 --size 8 \
           --iops 4000 --throughput 500 --tag-specifications "$(tags volume restored)" --query VolumeId --output text)
aws ec2 wait volume-available --volume-ids "$RESTORED"

# -- 4. a t3.nano from the public Amazon Linux parameter (DryRun first), then attach as /dev/sdf
AMI=$(aws ssm get-parameter --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 \
      --query Parameter.Value --output text)
aws ec2 run-instances --dry-run --image-id "$AMI" --instance-type t3.nano --subnet-id "$SUBNET" \
    --tag-specifications "$(tags instance host)" 2>&1 | grep -q DryRunOperation && echo "dry run: would succeed"
HOST=$(aws ec2 run-instances --image-id "$AMI" --instance-type t3.nano --subnet-id "$SUBNET" \
       --tag-specifications "$(tags instance host)" --query 'Instances[0].InstanceId' --output text)
aws ec2 wait instance-running --instance-ids "$HOST"
aws ec2 attach-volume --volume-id "$RESTORED" --instance-id "$HOST" --device /dev/sdf
aws ec2 wait volume-in-use --volume-ids "$RESTORED"

# -- 5. find the old host and its scratch volume by Name; detach (with the instance id), then terminate
OLD=$(aws ec2 describe-instances --filters $BY_RUN Name=tag:Name,Values=old-host Name=instance-state-name,Values=running \
      --query 'Reservations[0].Instances[0].InstanceId' --output text)
SCRATCH=$(aws ec2 describe-volumes --filters $BY_RUN Name=tag:Name,Values=scratch --query 'Volumes[0].VolumeId' --output text)
aws ec2 detach-volume --volume-id "$SCRATCH" --instance-id "$OLD"
aws ec2 wait volume-available --volume-ids "$SCRATCH"
aws ec2 terminate-instances --instance-ids "$OLD"
