#!/usr/bin/env bash
# Dimension reduction — the learner's part (every objective is yours): the digits as headerless CSV,
# PCA and t-SNE with scikit-learn, the results and charts in S3 with the AWS CLI, and the same PCA
# as SageMaker's built-in algorithm with `aws sagemaker create-training-job`.
set -euo pipefail
P=awslabs-dimension-reduction-practice
BUCKET=$P-digits ROLE=$P-sagemaker JOB=$P-pca
REGION=${AWS_DEFAULT_REGION:-us-east-1}
mkdir -p out/train out/labels out/pca out/tsne out/plots

# -- 1. the bucket
aws s3 mb "s3://$BUCKET"

# -- 1-4. the data, the analysis and the charts: local work with numpy, scikit-learn and matplotlib
python3 - <<'PY'
import json

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier

# 1. 1,797 images of 8x8 pixels: no header, no label column (built-in algorithms reject a header)
X, y = load_digits(return_X_y=True)
np.savetxt("out/train/digits.csv", X, fmt="%d", delimiter=",")
np.savetxt("out/labels/digits-labels.csv", y, fmt="%d")

# 2. explained variance: how many components keep 95 %?
ratios = PCA().fit(X).explained_variance_ratio_
cumulative = np.cumsum(ratios)
k = int(np.argmax(cumulative >= 0.95)) + 1
json.dump({"n_samples": X.shape[0], "n_features": X.shape[1],
           "explained_variance_ratio": [float(r) for r in ratios], "cumulative": [float(c) for c in cumulative],
           "components_for_95_percent": k, "first_two_components": float(cumulative[1])},
          open("out/pca/summary.json", "w"), indent=1)
fig, ax = plt.subplots(figsize=(7.5, 4.4))
ax.bar(range(1, 65), ratios, label="explained-variance ratio")
ax.plot(range(1, 65), cumulative, "k-", label="cumulative")
ax.axhline(0.95, color="crimson", ls="--")
ax.axvline(k, color="crimson", ls="--")
ax.set(xlabel="principal component", ylabel="share of total variance", title=f"{k} components keep 95%")
ax.legend(loc="center right")
fig.tight_layout()
fig.savefig("out/plots/pca-explained-variance.png", dpi=100)

# 3. the 2-D projection, and the digits rebuilt from k components
two = PCA(2).fit_transform(X)
pca_k = PCA(k).fit(X)
rebuilt = pca_k.inverse_transform(pca_k.transform(X))
kept = 1 - float(((X - rebuilt) ** 2).sum() / ((X - X.mean(axis=0)) ** 2).sum())
json.dump({"components": k, "variance_kept": kept}, open("out/pca/reconstruction.json", "w"))
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
left.scatter(two[:, 0], two[:, 1], c=y, cmap="tab10", s=6)
left.set(xlabel="PC 1", ylabel="PC 2", title="PCA: the digits on the first 2 components")
right.imshow(np.vstack([np.hstack([X[i].reshape(8, 8) for i in range(8)]),
                        np.hstack([rebuilt[i].reshape(8, 8) for i in range(8)])]), cmap="gray_r")
right.set_axis_off()
right.set_title(f"top: original; bottom: rebuilt from {k} of 64 components")
fig.tight_layout()
fig.savefig("out/plots/pca-projection.png", dpi=100)

# 4. t-SNE on 500 digits against PCA's 2 components: 5-nearest-neighbour accuracy in each map
idx = np.random.RandomState(0).choice(len(X), 500, replace=False)
tsne = TSNE(n_components=2, perplexity=30, init="pca", random_state=0).fit_transform(X[idx])
pca2 = two[idx]
accuracy = {name: float(cross_val_score(KNeighborsClassifier(5), points, y[idx], cv=5).mean())
            for name, points in (("tsne", tsne), ("pca2", pca2))}
json.dump({"samples": 500, "knn5_accuracy_tsne": accuracy["tsne"], "knn5_accuracy_pca2": accuracy["pca2"]},
          open("out/tsne/comparison.json", "w"), indent=1)
fig, axes = plt.subplots(1, 2, figsize=(12, 5))
for ax, points, name in ((axes[0], pca2, "pca2"), (axes[1], tsne, "tsne")):
    ax.scatter(points[:, 0], points[:, 1], c=y[idx], cmap="tab10", s=8)
    ax.set_title(f"{'PCA, 2 components' if name == 'pca2' else 't-SNE, perplexity 30'}: "
                 f"5-NN accuracy {accuracy[name]:.0%}")
fig.tight_layout()
fig.savefig("out/plots/tsne-vs-pca.png", dpi=100)
PY

# -- 1-4. upload: train/, labels/, pca/, tsne/ and plots/ keep their names as S3 keys
aws s3 cp out/ "s3://$BUCKET/" --recursive

# -- 5. the execution role SageMaker assumes to read the data and write the model
aws iam create-role --role-name "$ROLE" --assume-role-policy-document '{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
aws iam put-role-policy --role-name "$ROLE" --policy-name lab-access --policy-document "{
  \"Version\": \"2012-10-17\",
  \"Statement\": [
    {\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\", \"s3:PutObject\", \"s3:ListBucket\"],
     \"Resource\": [\"arn:aws:s3:::$BUCKET\", \"arn:aws:s3:::$BUCKET/*\"]},
    {\"Effect\": \"Allow\", \"Action\": [\"logs:CreateLogGroup\", \"logs:CreateLogStream\", \"logs:PutLogEvents\",
     \"logs:DescribeLogStreams\", \"cloudwatch:PutMetricData\", \"ecr:GetAuthorizationToken\",
     \"ecr:BatchGetImage\", \"ecr:GetDownloadUrlForLayer\"], \"Resource\": \"*\"}]}"
ROLE_ARN=$(aws iam get-role --role-name "$ROLE" --query Role.Arn --output text)
sleep "${IAM_WAIT:-0}"  # on AWS a brand-new role takes ~10 s before SageMaker may assume it: IAM_WAIT=10

# -- 5. the built-in PCA image of this Region (the "Docker Registry Paths" page of the SageMaker docs)
case "$REGION" in
  us-east-1) ACCOUNT=382416733822 ;; us-east-2) ACCOUNT=404615174143 ;; us-west-2) ACCOUNT=174872318107 ;;
  eu-west-1) ACCOUNT=438346466558 ;; eu-central-1) ACCOUNT=664544806723 ;;
  *) echo "look up the PCA image for $REGION in the SageMaker docs" >&2; exit 1 ;;
esac
IMAGE=$ACCOUNT.dkr.ecr.$REGION.amazonaws.com/pca:1
# num_components = the 95 % count found above
K=$(python3 -c 'import json; print(json.load(open("out/pca/summary.json"))["components_for_95_percent"])')

cat > training-job.json <<JSON
{"TrainingJobName": "$JOB",
 "AlgorithmSpecification": {"TrainingImage": "$IMAGE", "TrainingInputMode": "File"},
 "RoleArn": "$ROLE_ARN",
 "HyperParameters": {"feature_dim": "64", "num_components": "$K", "mini_batch_size": "200",
                     "algorithm_mode": "regular", "subtract_mean": "true"},
 "InputDataConfig": [{"ChannelName": "train", "ContentType": "text/csv;label_size=0",
   "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://$BUCKET/train/",
                                   "S3DataDistributionType": "ShardedByS3Key"}}}],
 "OutputDataConfig": {"S3OutputPath": "s3://$BUCKET/model/"},
 "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
 "StoppingCondition": {"MaxRuntimeInSeconds": 900}}
JSON
aws sagemaker create-training-job --cli-input-json file://training-job.json
aws sagemaker describe-training-job --training-job-name "$JOB" --query TrainingJobStatus --output text
# on AWS, wait for the model (a few minutes):
# aws sagemaker wait training-job-completed-or-stopped --training-job-name "$JOB"
