#!/usr/bin/env bash
# EC2 accelerated instances — the learner's part (the accelerator figures, the sizing and the DryRun
# launch are done by `awslabs check`; the forgotten Spot request is set up by `awslabs start`).
P=awslabs-ec2-gpu-instances-practice
REGION=$AWS_DEFAULT_REGION
RUN='{Key=awslabs:lab,Value=ec2-gpu-instances},{Key=awslabs:run,Value=practice}'
BY_RUN='Name=tag:awslabs:lab,Values=ec2-gpu-instances Name=tag:awslabs:run,Values=practice'

# -- 1. a one-time Spot request for one p3.2xlarge at a $0.01 maximum price (AWS never fulfils it),
#       expiring within the hour; the AMI from the public SSM parameter
AMI=$(aws ssm get-parameter --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 \
      --query Parameter.Value --output text)
IN_AN_HOUR=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -v+1H +%Y-%m-%dT%H:%M:%SZ)
aws ec2 request-spot-instances --spot-price 0.01 --instance-count 1 --type one-time --valid-until "$IN_AN_HOUR" \
    --launch-specification "{\"ImageId\": \"$AMI\", \"InstanceType\": \"p3.2xlarge\"}" \
    --tag-specifications "ResourceType=spot-instances-request,Tags=[$RUN,{Key=Name,Value=p3-spot}]" \
    --query 'SpotInstanceRequests[0].[SpotInstanceRequestId, State]' --output text

# -- 2. the forgotten g5.xlarge request, found by its Name tag: cancel it, then terminate what it
#       launched (cancelling a request never terminates its instances)
FORGOTTEN=$(aws ec2 describe-spot-instance-requests --filters $BY_RUN Name=tag:Name,Values=forgotten-spot \
            Name=state,Values=open,active,disabled --query 'SpotInstanceRequests[].SpotInstanceRequestId' --output text)
LAUNCHED=$(aws ec2 describe-spot-instance-requests --filters $BY_RUN Name=tag:Name,Values=forgotten-spot \
           Name=state,Values=open,active,disabled --query 'SpotInstanceRequests[].InstanceId' --output text)
if [ -n "$FORGOTTEN" ]; then
  aws ec2 cancel-spot-instance-requests --spot-instance-request-ids $FORGOTTEN \
      --query 'CancelledSpotInstanceRequests[].State' --output text
fi
if [ -n "$LAUNCHED" ] && [ "$LAUNCHED" != None ]; then
  aws ec2 terminate-instances --instance-ids $LAUNCHED --query 'TerminatingInstances[].CurrentState.Name' --output text
fi

# -- 3. the SageMaker equivalent: one ml.p3.2xlarge with managed spot and the PyTorch GPU image.
#       A data bucket with a train/ channel, an execution role, then the job (name + timestamp)
aws s3api create-bucket --bucket "$P-data"
aws s3api put-bucket-tagging --bucket "$P-data" --tagging "TagSet=[$RUN]"
echo "placeholder channel" | aws s3 cp - "s3://$P-data/train/README.txt"
ROLE=$(aws iam create-role --role-name "$P-sm-role" --query Role.Arn --output text \
    --tags Key=awslabs:lab,Value=ec2-gpu-instances Key=awslabs:run,Value=practice \
    --assume-role-policy-document '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}')
aws iam put-role-policy --role-name "$P-sm-role" --policy-name lab-access --policy-document "{
  \"Version\": \"2012-10-17\", \"Statement\": [
    {\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\", \"s3:PutObject\", \"s3:ListBucket\", \"s3:DeleteObject\"],
     \"Resource\": [\"arn:aws:s3:::$P-data\", \"arn:aws:s3:::$P-data/*\"]},
    {\"Effect\": \"Allow\", \"Action\": [\"logs:CreateLogGroup\", \"logs:CreateLogStream\", \"logs:PutLogEvents\",
       \"logs:DescribeLogStreams\", \"cloudwatch:PutMetricData\", \"ecr:GetAuthorizationToken\",
       \"ecr:BatchGetImage\", \"ecr:GetDownloadUrlForLayer\"], \"Resource\": \"*\"}]}"
if [ -z "${AWS_ENDPOINT_URL:-}" ]; then sleep 10; fi   # on AWS: a new role takes seconds to be assumable
# the AWS Deep Learning Containers registry (763104351884 in most regions): PyTorch 2.1 training, GPU, py310
IMAGE="763104351884.dkr.ecr.$REGION.amazonaws.com/pytorch-training:2.1-gpu-py310"
JOB="$P-p3-$(date -u +%Y-%m-%d-%H-%M-%S)"
# (on AWS an ml.p3.2xlarge bills ~$3.8/hour and needs a training quota: stop the job at once if you run this there)
aws sagemaker create-training-job --training-job-name "$JOB" \
    --algorithm-specification "TrainingImage=$IMAGE,TrainingInputMode=File" --role-arn "$ROLE" \
    --input-data-config "[{\"ChannelName\": \"train\", \"DataSource\": {\"S3DataSource\": {
        \"S3DataType\": \"S3Prefix\", \"S3Uri\": \"s3://$P-data/train/\", \"S3DataDistributionType\": \"FullyReplicated\"}}}]" \
    --output-data-config "S3OutputPath=s3://$P-data/output" \
    --resource-config InstanceType=ml.p3.2xlarge,InstanceCount=1,VolumeSizeInGB=30 \
    --enable-managed-spot-training \
    --stopping-condition MaxRuntimeInSeconds=3600,MaxWaitTimeInSeconds=7200 \
    --tags Key=awslabs:lab,Value=ec2-gpu-instances Key=awslabs:run,Value=practice \
    --query TrainingJobArn --output text
