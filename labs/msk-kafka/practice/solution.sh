#!/usr/bin/env bash
# MSK — the learner's part (waiting for ACTIVE needs real AWS; the Kafka vs Kinesis comparison is
# written by `awslabs check`).
P=awslabs-msk-kafka-practice
TAGS='{Key=awslabs:lab,Value=msk-kafka},{Key=awslabs:run,Value=practice}'

# -- 1. a VPC tagged Name=$P-vpc, and two subnets in two different Availability Zones
VPC=$(aws ec2 create-vpc --cidr-block 10.42.0.0/16 \
      --tag-specifications "ResourceType=vpc,Tags=[{Key=Name,Value=$P-vpc},$TAGS]" \
      --query Vpc.VpcId --output text)
read -r AZ1 AZ2 _ <<< "$(aws ec2 describe-availability-zones --query 'AvailabilityZones[].ZoneName' --output text)"
SUBNET1=$(aws ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.42.0.0/24 --availability-zone "$AZ1" \
          --tag-specifications "ResourceType=subnet,Tags=[$TAGS]" --query Subnet.SubnetId --output text)
SUBNET2=$(aws ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.42.1.0/24 --availability-zone "$AZ2" \
          --tag-specifications "ResourceType=subnet,Tags=[$TAGS]" --query Subnet.SubnetId --output text)

# -- 2. a provisioned cluster: 2 kafka.t3.small brokers (a multiple of the 2 AZs), 1 GiB EBS each,
#       TLS between clients and brokers and inside the cluster, IAM client authentication
cat > provisioned.json <<JSON
{
  "BrokerNodeGroupInfo": {"InstanceType": "kafka.t3.small", "ClientSubnets": ["$SUBNET1", "$SUBNET2"],
                          "StorageInfo": {"EbsStorageInfo": {"VolumeSize": 1}}},
  "KafkaVersion": "3.6.0",
  "NumberOfBrokerNodes": 2,
  "EncryptionInfo": {"EncryptionInTransit": {"ClientBroker": "TLS", "InCluster": true}},
  "ClientAuthentication": {"Sasl": {"Iam": {"Enabled": true}}, "Unauthenticated": {"Enabled": false}}
}
JSON
aws kafka create-cluster-v2 --cluster-name "$P-provisioned" --provisioned file://provisioned.json \
    --tags awslabs:lab=msk-kafka,awslabs:run=practice

# -- 3. an MSK Serverless cluster in the same two subnets (IAM is its only client authentication)
aws kafka create-cluster-v2 --cluster-name "$P-serverless" \
    --serverless "{\"VpcConfigs\":[{\"SubnetIds\":[\"$SUBNET1\",\"$SUBNET2\"]}],\"ClientAuthentication\":{\"Sasl\":{\"Iam\":{\"Enabled\":true}}}}" \
    --tags awslabs:lab=msk-kafka,awslabs:run=practice

# On AWS, when the provisioned cluster is ACTIVE (15-30 min):
#   ARN=$(aws kafka list-clusters-v2 --cluster-name-filter "$P-provisioned" --query 'ClusterInfoList[0].ClusterArn' --output text)
#   aws kafka get-bootstrap-brokers --cluster-arn "$ARN" --query BootstrapBrokerStringSaslIam --output text
