#!/usr/bin/env bash
# FSx for Lustre in front of S3 — the learner's part (the capacity rules and the data-movement
# comparison are done by `awslabs check`: moto validates no capacity and moves no data).
P=awslabs-fsx-lustre-practice
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
REGION=$AWS_DEFAULT_REGION
RUN='{Key=awslabs:lab,Value=fsx-lustre},{Key=awslabs:run,Value=practice}'
TAGS='Key=awslabs:lab,Value=fsx-lustre Key=awslabs:run,Value=practice'
tags() { echo "ResourceType=$1,Tags=[$RUN]"; }

# -- 1. a VPC with two /24 subnets in two AZs; a security group admitting Lustre (TCP 988 and
#       1018-1023) from itself; a Gateway endpoint for S3 (training hosts write model output to S3)
VPC=$(aws ec2 create-vpc --cidr-block 10.42.0.0/16 --tag-specifications "$(tags vpc)" --query Vpc.VpcId --output text)
ZONES=$(aws ec2 describe-availability-zones --filters Name=state,Values=available \
        --query 'AvailabilityZones[0:2].ZoneName' --output text)
I=0
for ZONE in $ZONES; do
  aws ec2 create-subnet --vpc-id "$VPC" --cidr-block "10.42.$I.0/24" --availability-zone "$ZONE" \
      --tag-specifications "$(tags subnet)" --query Subnet.SubnetId --output text
  I=$((I + 1))
done
SG=$(aws ec2 create-security-group --group-name "$P-lustre" --vpc-id "$VPC" \
     --description "Lustre traffic between the file system and training hosts" \
     --tag-specifications "$(tags security-group)" --query GroupId --output text)
aws ec2 authorize-security-group-ingress --group-id "$SG" --ip-permissions \
    "IpProtocol=tcp,FromPort=988,ToPort=988,UserIdGroupPairs=[{GroupId=$SG}]" \
    "IpProtocol=tcp,FromPort=1018,ToPort=1023,UserIdGroupPairs=[{GroupId=$SG}]" >/dev/null
TABLES=$(aws ec2 describe-route-tables --filters Name=vpc-id,Values="$VPC" --query 'RouteTables[].RouteTableId' --output text)
aws ec2 create-vpc-endpoint --vpc-id "$VPC" --vpc-endpoint-type Gateway --service-name "com.amazonaws.$REGION.s3" \
    --route-table-ids $TABLES --tag-specifications "$(tags vpc-endpoint)" --query VpcEndpoint.VpcEndpointId --output text
# the first subnet by CIDR (10.42.0.0/24): Lustre lives in one subnet
SUBNET=$(aws ec2 describe-subnets --filters Name=vpc-id,Values="$VPC" Name=cidr-block,Values=10.42.0.0/24 \
         --query 'Subnets[0].SubnetId' --output text)

# -- 2. three CSV shards under train/ (label first, no header: XGBoost's CSV format)
aws s3api create-bucket --bucket "$P-data"
aws s3api put-bucket-tagging --bucket "$P-data" --tagging "TagSet=[$RUN]"
for SHARD in 0 1 2; do
  awk -v seed="$SHARD" 'BEGIN { srand(7 + seed); for (i = 0; i < 200; i++) { a = rand(); b = rand();
       printf "%d,%.4f,%.4f\n", (a + b > 1), a, b } }' > "part-$SHARD.csv"
  aws s3 cp "part-$SHARD.csv" "s3://$P-data/train/part-$SHARD.csv"
done

# -- 3. the smallest valid SCRATCH_2 file system (1200 GiB; then 2400, then steps of 2400) in the first
#       subnet, linked to the bucket: imports train/, exports to export/
FS=$(aws fsx create-file-system --client-request-token "$P-fsx" --file-system-type LUSTRE \
     --file-system-type-version 2.12 --storage-capacity 1200 --storage-type SSD \
     --subnet-ids "$SUBNET" --security-group-ids "$SG" --tags $TAGS \
     --lustre-configuration "DeploymentType=SCRATCH_2,ImportPath=s3://$P-data/train,ExportPath=s3://$P-data/export,AutoImportPolicy=NEW_CHANGED_DELETED" \
     --query FileSystem.FileSystemId --output text)
for _ in $(seq 60); do   # 5-10 minutes on AWS (the emulator reports no Lifecycle: nothing to wait for)
  STATE=$(aws fsx describe-file-systems --file-system-ids "$FS" --query 'FileSystems[0].Lifecycle' --output text)
  case "$STATE" in AVAILABLE|None|"") break;; FAILED|MISCONFIGURED) echo "file system $STATE" >&2; exit 1;; esac
  sleep 20
done
MOUNT=$(aws fsx describe-file-systems --file-system-ids "$FS" --query 'FileSystems[0].LustreConfiguration.MountName' --output text)
if [ -z "$MOUNT" ] || [ "$MOUNT" = None ]; then MOUNT=fsx; fi   # the emulator assigns no mount name

# -- 4. a role SageMaker can assume, and two training jobs reading the file system from inside the VPC
ROLE=$(aws iam create-role --role-name "$P-sagemaker" --tags $TAGS --query Role.Arn --output text \
    --assume-role-policy-document '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}')
aws iam put-role-policy --role-name "$P-sagemaker" --policy-name training --policy-document "{
  \"Version\": \"2012-10-17\", \"Statement\": [
    {\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\", \"s3:PutObject\", \"s3:ListBucket\"],
     \"Resource\": [\"arn:aws:s3:::$P-data\", \"arn:aws:s3:::$P-data/*\"]},
    {\"Effect\": \"Allow\", \"Action\": [\"ec2:CreateNetworkInterface\", \"ec2:CreateNetworkInterfacePermission\",
       \"ec2:DeleteNetworkInterface\", \"ec2:DeleteNetworkInterfacePermission\", \"ec2:Describe*\",
       \"fsx:DescribeFileSystems\", \"logs:CreateLogGroup\", \"logs:CreateLogStream\", \"logs:PutLogEvents\",
       \"cloudwatch:PutMetricData\", \"ecr:GetAuthorizationToken\"], \"Resource\": \"*\"}]}"
if [ -z "${AWS_ENDPOINT_URL:-}" ]; then sleep 10; fi   # on AWS: a new role takes seconds to be assumable
case "$REGION" in   # the account that publishes the XGBoost image in this region
  us-east-2) IMAGE_ACCOUNT=257758044811;; us-west-2) IMAGE_ACCOUNT=246618743249;;
  eu-west-1) IMAGE_ACCOUNT=141502667606;; eu-central-1) IMAGE_ACCOUNT=492215442770;; *) IMAGE_ACCOUNT=683313688378;;
esac
for N in 1 2; do   # one after the other: run 2 reuses what run 1 lazy-loaded from S3
  aws sagemaker create-training-job --training-job-name "$P-train-$N" \
      --algorithm-specification "TrainingImage=$IMAGE_ACCOUNT.dkr.ecr.$REGION.amazonaws.com/sagemaker-xgboost:1.7-1,TrainingInputMode=File" \
      --role-arn "$ROLE" --hyper-parameters "objective=binary:logistic,num_round=$((10 * N))" \
      --input-data-config "[{\"ChannelName\": \"train\", \"ContentType\": \"text/csv\", \"DataSource\":
          {\"FileSystemDataSource\": {\"FileSystemId\": \"$FS\", \"FileSystemType\": \"FSxLustre\",
                                      \"FileSystemAccessMode\": \"ro\", \"DirectoryPath\": \"/$MOUNT\"}}}]" \
      --output-data-config "S3OutputPath=s3://$P-data/output" \
      --resource-config InstanceType=ml.m5.large,InstanceCount=1,VolumeSizeInGB=1 \
      --vpc-config "SecurityGroupIds=$SG,Subnets=$SUBNET" \
      --stopping-condition MaxRuntimeInSeconds=900 --tags $TAGS --query TrainingJobArn --output text
  aws sagemaker wait training-job-completed-or-stopped --training-job-name "$P-train-$N"
done
