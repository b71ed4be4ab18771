"""awslabs.sim.cloudformation against CloudFormation's documented rules, on hand-written templates.

Expected values come from the documentation, not from the module: the ResourceChange reference
(Always + Static → True, Always + Dynamic → Conditional, the most impactful change wins), the
"Update requires" lines of the resource reference (EndpointConfig.ProductionVariants: Replacement;
Endpoint.EndpointConfigName and ScalableTarget.MaxCapacity: No interruption), and the YAML short
forms of the intrinsic functions."""
from __future__ import annotations

from awslabs.sim import cloudformation as cfn

YAML = """
Parameters:
  InstanceType: {Type: String, Default: ml.m5.large}
  MaxCapacity: {Type: Number, Default: 4}
  ImageUri: {Type: String}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: !GetAtt Role.Arn
      PrimaryContainer: {Image: !Ref ImageUri}
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - {VariantName: AllTraffic, ModelName: !GetAtt Model.ModelName, InstanceType: !Ref InstanceType,
           InitialInstanceCount: 1}
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointConfigName: !GetAtt Config.EndpointConfigName
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ResourceId: !Sub "endpoint/${Endpoint.EndpointName}/variant/AllTraffic"
      ScalableDimension: sagemaker:variant:DesiredInstanceCount
      ServiceNamespace: sagemaker
      MinCapacity: 1
      MaxCapacity: !Ref MaxCapacity
Outputs:
  Name: {Value: !GetAtt Endpoint.EndpointName}
"""
BASE = {"ImageUri": "img:1"}


def _review(old, new, template=None):
    t = template or cfn.load_template(YAML)
    return cfn.replacement_review(cfn.plan_changes(t, old, t, new))


def test_short_forms_load_as_long_forms():
    t = cfn.load_template(YAML)
    assert t["Resources"]["Model"]["Properties"]["ExecutionRoleArn"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert t["Resources"]["Model"]["Properties"]["PrimaryContainer"]["Image"] == {"Ref": "ImageUri"}
    assert t["Resources"]["Target"]["Properties"]["ResourceId"] == {
        "Fn::Sub": "endpoint/${Endpoint.EndpointName}/variant/AllTraffic"}
    assert cfn.load_template('{"Resources": {}}') == {"Resources": {}}


def test_references_and_dangling_ones():
    t = cfn.load_template(YAML)
    assert cfn.references(t["Resources"]["Target"]["Properties"]) == {"Endpoint", "MaxCapacity"}
    assert cfn.dangling_references(t) == []
    t["Resources"]["Endpoint"]["Properties"]["EndpointConfigName"] = {"Fn::GetAtt": ["Konfig", "EndpointConfigName"]}
    assert cfn.dangling_references(t) == [
        "Resources.Endpoint refers to 'Konfig', which the template does not define"]


def test_instance_type_replaces_the_endpoint_config_and_modifies_the_endpoint_in_place():
    # ProductionVariants: Replacement, Static → True; EndpointConfigName: No interruption → False
    assert _review({**BASE}, {**BASE, "InstanceType": "ml.c5.large"}) == {"Config": "True", "Endpoint": "False"}


def test_max_capacity_updates_the_scalable_target_without_interruption():
    assert _review({**BASE}, {**BASE, "MaxCapacity": "8"}) == {"Target": "False"}


def test_a_new_image_replaces_the_model_and_conditionally_the_config():
    # the config's ModelName depends on the replaced model: Always + Dynamic → Conditional
    assert _review({**BASE}, {**BASE, "ImageUri": "img:2"}) == {
        "Model": "True", "Config": "Conditional", "Endpoint": "False"}


def test_same_parameters_change_nothing_and_defaults_count():
    assert _review({**BASE}, {**BASE, "InstanceType": "ml.m5.large"}) == {}


def test_added_and_removed_resources():
    old = cfn.load_template(YAML)
    new = cfn.load_template(YAML)
    del new["Resources"]["Target"]
    new["Resources"]["Bucket"] = {"Type": "AWS::S3::Bucket"}
    actions = {c["LogicalResourceId"]: c["Action"] for c in cfn.plan_changes(old, BASE, new, BASE)}
    assert actions == {"Bucket": "Add", "Target": "Remove"}


def test_normalise_review_accepts_the_change_set_shape_and_booleans():
    assert cfn.normalise_review({"Endpoint": False, "Config": "true"}) == {"Endpoint": "False", "Config": "True"}
    changes = {"Changes": [{"ResourceChange": {"Action": "Modify", "LogicalResourceId": "Config",
                                               "Replacement": "Conditional"}},
                           {"ResourceChange": {"Action": "Add", "LogicalResourceId": "New"}}]}
    assert cfn.normalise_review(changes) == {"Config": "Conditional"}
    assert cfn.normalise_review({"Config": "maybe"}) is None
    assert cfn.normalise_review("True") is None
