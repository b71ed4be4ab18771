#!/usr/bin/env bash
# EFS as a training-data source — the learner's part (writing the data into the directory and the
# two trainings' models are done by `awslabs check`: moto has no NFS data plane).
P=awslabs-efs-training-data-practice
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
REGION=$AWS_DEFAULT_REGION
RUN='{Key=awslabs:lab,Value=efs-training-data},{Key=awslabs:run,Value=practice}'
tags() { echo "ResourceType=$1,Tags=[$RUN]"; }

# -- 1. a VPC, two subnets in two AZs, a security group admitting NFS (TCP 2049) from itself, and an
#       S3 gateway endpoint (training hosts write their model output to S3 through it)
VPC=$(aws ec2 create-vpc --cidr-block 10.43.0.0/16 --tag-specifications "$(tags vpc)" --query Vpc.VpcId --output text)
ZONES=$(aws ec2 describe-availability-zones --filters Name=state,Values=available \
        --query 'AvailabilityZones[0:2].ZoneName' --output text)
I=0
for ZONE in $ZONES; do
  aws ec2 create-subnet --vpc-id "$VPC" --cidr-block "10.43.$I.0/24" --availability-zone "$ZONE" \
      --tag-specifications "$(tags subnet)" --query Subnet.SubnetId --output text
  I=$((I + 1))
done
SG=$(aws ec2 create-security-group --group-name "$P-nfs" --vpc-id "$VPC" \
     --description "NFS between EFS mount targets and training hosts" \
     --tag-specifications "$(tags security-group)" --query GroupId --output text)
aws ec2 authorize-security-group-ingress --group-id "$SG" \
    --ip-permissions "IpProtocol=tcp,FromPort=2049,ToPort=2049,UserIdGroupPairs=[{GroupId=$SG}]" >/dev/null
TABLES=$(aws ec2 describe-route-tables --filters Name=vpc-id,Values="$VPC" --query 'RouteTables[].RouteTableId' --output text)
aws ec2 create-vpc-endpoint --vpc-id "$VPC" --vpc-endpoint-type Gateway --service-name "com.amazonaws.$REGION.s3" \
    --route-table-ids $TABLES --tag-specifications "$(tags vpc-endpoint)" --query VpcEndpoint.VpcEndpointId --output text
SUBNETS=$(aws ec2 describe-subnets --filters Name=vpc-id,Values="$VPC" --query 'Subnets[].SubnetId' --output text)

# -- 2. an encrypted file system (creation token = its name), then its IA lifecycle once it is available
FS=$(aws efs create-file-system --creation-token "$P-efs" --performance-mode generalPurpose --encrypted \
     --throughput-mode elastic --tags Key=awslabs:lab,Value=efs-training-data Key=awslabs:run,Value=practice \
     --query FileSystemId --output text)
for _ in $(seq 40); do
  STATE=$(aws efs describe-file-systems --file-system-id "$FS" --query 'FileSystems[0].LifeCycleState' --output text)
  [ "$STATE" = available ] && break
  sleep 5
done
aws efs put-lifecycle-configuration --file-system-id "$FS" \
    --lifecycle-policies TransitionToIA=AFTER_30_DAYS TransitionToPrimaryStorageClass=AFTER_1_ACCESS

# -- 3. one mount target per subnet (one per AZ) with the NFS security group; wait until available
for SUBNET in $SUBNETS; do
  aws efs create-mount-target --file-system-id "$FS" --subnet-id "$SUBNET" --security-groups "$SG" \
      --query MountTargetId --output text
done
for _ in $(seq 36); do
  PENDING=$(aws efs describe-mount-targets --file-system-id "$FS" \
            --query "length(MountTargets[?LifeCycleState!='available'])" --output text)
  [ "$PENDING" = 0 ] && break
  sleep 5
done

# -- 4. the access point: clients act as uid/gid 1000 and are rooted at /ml/churn (created 750 on first use)
aws efs create-access-point --file-system-id "$FS" --client-token "$P-ap" \
    --posix-user Uid=1000,Gid=1000 \
    --root-directory 'Path=/ml/churn,CreationInfo={OwnerUid=1000,OwnerGid=1000,Permissions=750}' \
    --tags Key=awslabs:lab,Value=efs-training-data Key=awslabs:run,Value=practice --query AccessPointId --output text

# (try it: deleting the file system now fails with FileSystemInUse — the mount targets protect it)
aws efs delete-file-system --file-system-id "$FS" 2>&1 | grep -o FileSystemInUse || true

# -- 5. a role SageMaker can assume, and training job v1 reading /ml/churn straight from EFS, in the VPC
aws iam create-role --role-name "$P-sagemaker" \
    --tags Key=awslabs:lab,Value=efs-training-data Key=awslabs:run,Value=practice --query Role.Arn --output text \
    --assume-role-policy-document '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
case "$REGION" in   # the account that publishes the XGBoost image in this region
  us-east-2) IMAGE_ACCOUNT=257758044811;; us-west-2) IMAGE_ACCOUNT=246618743249;;
  eu-west-1) IMAGE_ACCOUNT=141502667606;; eu-central-1) IMAGE_ACCOUNT=492215442770;; *) IMAGE_ACCOUNT=683313688378;;
esac
SUBNET_LIST=$(echo $SUBNETS | sed 's/ /","/g')
train() {  # train N: the same channel every time — the directory, not a copy of the data
  aws sagemaker create-training-job --training-job-name "$P-train-v$1" \
      --algorithm-specification "TrainingImage=$IMAGE_ACCOUNT.dkr.ecr.$REGION.amazonaws.com/sagemaker-xgboost:1.7-1,TrainingInputMode=File" \
      --role-arn "arn:aws:iam::$ACCOUNT:role/$P-sagemaker" \
      --hyper-parameters objective=binary:logistic,num_round=20 \
      --input-data-config "[{\"ChannelName\": \"train\", \"ContentType\": \"text/csv\", \"DataSource\":
          {\"FileSystemDataSource\": {\"FileSystemId\": \"$FS\", \"FileSystemType\": \"EFS\",
                                      \"FileSystemAccessMode\": \"ro\", \"DirectoryPath\": \"/ml/churn\"}}}]" \
      --output-data-config "S3OutputPath=s3://$P-output/models" \
      --resource-config InstanceType=ml.m5.large,InstanceCount=1,VolumeSizeInGB=1 \
      --vpc-config "{\"SecurityGroupIds\": [\"$SG\"], \"Subnets\": [\"$SUBNET_LIST\"]}" \
      --stopping-condition MaxRuntimeInSeconds=600 \
      --tags Key=awslabs:lab,Value=efs-training-data Key=awslabs:run,Value=practice \
      --query TrainingJobArn --output text
}
train 1

# -- 6. (after the notebook drops the leaky column in place) job v2: exactly the same channel
train 2
