#!/usr/bin/env bash
# Securing ML workloads — the learner's part (step 8 is done by `awslabs check`).
set -euo pipefail
P=awslabs-ml-security-practice
BUCKET=$P-data
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
REGION=${AWS_DEFAULT_REGION:-us-east-1}
ROLE_ARN=arn:aws:iam::$ACCOUNT:role/$P-trainer
B=arn:aws:s3:::$BUCKET
SG=$(aws ec2 describe-security-groups --filters Name=group-name,Values=$P-training \
     --query 'SecurityGroups[0].GroupId' --output text)
VPC=$(aws ec2 describe-security-groups --group-ids "$SG" --query 'SecurityGroups[0].VpcId' --output text)
SUBNETS=$(aws ec2 describe-subnets --filters Name=vpc-id,Values=$VPC --query 'Subnets[].SubnetId' --output text)

# -- 2. the least-privilege training role: SageMaker may assume it; train/ read, models/ write,
#       the database secret only, and an explicit Deny on restricted/
cat > trust.json <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
JSON
cat > role-policy.json <<JSON
{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["$B/train/*", "$B/code/*"]},
  {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "$B",
   "Condition": {"StringLike": {"s3:prefix": ["train/*", "code/*"]}}},
  {"Effect": "Allow", "Action": "s3:PutObject", "Resource": ["$B/models/*", "$B/connection/*"]},
  {"Effect": "Deny", "Action": "s3:*", "Resource": "$B/restricted/*"},
  {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
   "Resource": "arn:aws:secretsmanager:$REGION:$ACCOUNT:secret:$P-db-??????"},
  {"Effect": "Allow", "Action": ["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission",
     "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission", "ec2:DescribeNetworkInterfaces",
     "ec2:DescribeVpcs", "ec2:DescribeDhcpOptions", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
     "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams",
     "cloudwatch:PutMetricData"], "Resource": "*"}]}
JSON
aws iam create-role --role-name "$P-trainer" --assume-role-policy-document file://trust.json
aws iam put-role-policy --role-name "$P-trainer" --policy-name least-privilege --policy-document file://role-policy.json
[ -n "${AWS_ENDPOINT_URL:-}" ] || sleep 10   # on AWS: KMS rejects a key policy naming a role it cannot see yet

# -- 3. the key: the account administers it (enables IAM policies); only the role uses it, through services
cat > key-policy.json <<JSON
{"Version": "2012-10-17", "Statement": [
  {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::$ACCOUNT:root"}, "Action": "kms:*", "Resource": "*"},
  {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": "$ROLE_ARN"},
   "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*",
   "Condition": {"StringEquals": {"kms:ViaService": ["s3.$REGION.amazonaws.com", "sagemaker.$REGION.amazonaws.com",
                                                      "secretsmanager.$REGION.amazonaws.com"]}}},
  {"Sid": "Grants", "Effect": "Allow", "Principal": {"AWS": "$ROLE_ARN"}, "Action": "kms:CreateGrant", "Resource": "*",
   "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}]}
JSON
KEY_ID=$(aws kms create-key --policy file://key-policy.json --description "ml-security" --query KeyMetadata.KeyId --output text)
aws kms create-alias --alias-name "alias/$P-key" --target-key-id "$KEY_ID"
aws kms enable-key-rotation --key-id "$KEY_ID"
KEY_ARN=$(aws kms describe-key --key-id "alias/$P-key" --query KeyMetadata.Arn --output text)

# -- 4. default SSE-KMS with a Bucket Key, and a policy refusing plain HTTP and uploads without SSE-KMS
aws s3api put-bucket-encryption --bucket "$BUCKET" --server-side-encryption-configuration \
  "{\"Rules\": [{\"ApplyServerSideEncryptionByDefault\": {\"SSEAlgorithm\": \"aws:kms\", \"KMSMasterKeyID\": \"$KEY_ARN\"}, \"BucketKeyEnabled\": true}]}"
cat > bucket-policy.json <<JSON
{"Version": "2012-10-17", "Statement": [
  {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["$B", "$B/*"],
   "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
  {"Sid": "SseKmsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "$B/*",
   "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}
JSON
aws s3api put-bucket-policy --bucket "$BUCKET" --policy file://bucket-policy.json

# -- 5. the S3 gateway endpoint on the subnets' route table, limited to the lab bucket
TABLES=$(aws ec2 describe-route-tables --filters Name=vpc-id,Values=$VPC --query 'RouteTables[].RouteTableId' --output text)
cat > endpoint-policy.json <<JSON
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
  "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], "Resource": ["$B", "$B/*"]}]}
JSON
aws ec2 create-vpc-endpoint --vpc-id "$VPC" --vpc-endpoint-type Gateway --service-name "com.amazonaws.$REGION.s3" \
    --route-table-ids $TABLES --policy-document file://endpoint-policy.json

# -- 6. training in the private subnets: network isolation, inter-container encryption, the key everywhere
IMAGE=683313688378.dkr.ecr.$REGION.amazonaws.com/sagemaker-xgboost:1.7-1   # us-east-1's XGBoost image
SUBNET_LIST=$(echo $SUBNETS | tr ' ' ',')
aws sagemaker create-training-job --training-job-name "$P-train" --role-arn "$ROLE_ARN" \
    --algorithm-specification TrainingImage=$IMAGE,TrainingInputMode=File \
    --hyper-parameters objective=binary:logistic,num_round=20 \
    --input-data-config "[{\"ChannelName\": \"train\", \"ContentType\": \"text/csv\", \"DataSource\": {\"S3DataSource\": {\"S3DataType\": \"S3Prefix\", \"S3Uri\": \"s3://$BUCKET/train/\"}}}]" \
    --output-data-config S3OutputPath=s3://$BUCKET/models/,KmsKeyId=$KEY_ARN \
    --resource-config InstanceType=ml.m5.large,InstanceCount=2,VolumeSizeInGB=5,VolumeKmsKeyId=$KEY_ARN \
    --vpc-config SecurityGroupIds=$SG,Subnets=$SUBNET_LIST \
    --enable-network-isolation --enable-inter-container-traffic-encryption \
    --stopping-condition MaxRuntimeInSeconds=900

# -- 7. the database secret (encrypted with the key) and a processing job that gets its ARN, not its value
PASSWORD=$(aws secretsmanager get-random-password --password-length 32 --exclude-punctuation --query RandomPassword --output text)
SECRET_ARN=$(aws secretsmanager create-secret --name "$P-db" --kms-key-id "$KEY_ARN" \
    --secret-string "{\"username\": \"ml_reader\", \"password\": \"$PASSWORD\", \"host\": \"features-db.internal.example\", \"dbname\": \"features\"}" \
    --query ARN --output text)
unset PASSWORD
SKLEARN=683313688378.dkr.ecr.$REGION.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3
cat > processing.json <<JSON
{"ProcessingJobName": "$P-connect", "RoleArn": "$ROLE_ARN",
 "AppSpecification": {"ImageUri": "$SKLEARN", "ContainerEntrypoint": ["python3", "/opt/ml/processing/code/connect.py"],
                      "ContainerArguments": ["--secret-arn", "$SECRET_ARN"]},
 "Environment": {"DB_SECRET_ARN": "$SECRET_ARN"},
 "ProcessingInputs": [{"InputName": "code", "S3Input": {"S3Uri": "s3://$BUCKET/code/connect.py",
   "LocalPath": "/opt/ml/processing/code", "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
 "ProcessingOutputConfig": {"KmsKeyId": "$KEY_ARN", "Outputs": [{"OutputName": "connection", "S3Output": {
   "S3Uri": "s3://$BUCKET/connection/", "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}]},
 "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 5,
                                           "VolumeKmsKeyId": "$KEY_ARN"}},
 "StoppingCondition": {"MaxRuntimeInSeconds": 600}}
JSON
aws sagemaker create-processing-job --cli-input-json file://processing.json
