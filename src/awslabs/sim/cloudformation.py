"""CloudFormation's documented rules, as pure functions: reading a template (YAML short-form tags
included), the references it makes, and which resources a change set would modify or REPLACE.

Why: moto 5.2.6 stores a change set but returns no ``Changes`` for it (``describe_change_set``
answers ``Changes: []`` for an update that replaces an endpoint configuration), so off AWS the
review a learner must do before executing a change set has nothing to read. This module decides it
from the "Update requires" line of each property in the CloudFormation resource reference
(``UPDATE_REQUIRES``, registered in ``awslabs.facts``) and from the rule the ``ResourceChange``
API reference states: a property that requires recreation changes the ``Replacement`` to ``True``
when its new value is known (Evaluation ``Static``) and to ``Conditional`` when it depends on
another resource that changes (Evaluation ``Dynamic``); the change with the most impact wins
(Always > Conditionally > Never).
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChange.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-changesets.html

Results are labelled ``simulated``. No boto3 here.
"""
from __future__ import annotations

import json
import re
from typing import Any

from awslabs.facts import value as _fact

# "Update requires" per property, from the CloudFormation resource reference pages.
UPDATE_REQUIRES: dict[str, dict[str, str]] = _fact("cloudformation.update_requires")
# (RequiresRecreation, Evaluation) → Replacement, from the ResourceChange API reference
REPLACEMENT_RULE: dict[tuple[str, str], str] = _fact("cloudformation.replacement_rule")
_IMPACT = ("False", "Conditional", "True")  # the change with the most impact wins
PSEUDO_PARAMETERS = frozenset({
    "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
    "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
})
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")

# -- reading a template -------------------------------------------------------------------------------
_SHORT_FORMS = ("Ref", "Condition")
_FN_TAGS = ("Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select",
            "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or")


def _loader():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct(tag: str):
        def build(loader, node):
            if isinstance(node, yaml.ScalarNode):
                value: Any = loader.construct_scalar(node)
                if tag == "Fn::GetAtt":  # !GetAtt Resource.Attribute
                    value = value.split(".", 1)
            elif isinstance(node, yaml.SequenceNode):
                value = loader.construct_sequence(node, deep=True)
            else:
                value = loader.construct_mapping(node, deep=True)
            return {tag: value}
        return build

    for name in _SHORT_FORMS:
        Loader.add_constructor(f"!{name}", construct(name))
    for name in _FN_TAGS:
        Loader.add_constructor(f"!{name}", construct(f"Fn::{name}"))
    return Loader


def load_template(body: str | dict) -> dict:
    """A template as a dict in long form (``!Ref X`` → ``{"Ref": "X"}``), from JSON or YAML text
    (``get_template`` answers a dict for a JSON template and the text for a YAML one)."""
    if isinstance(body, dict):
        return body
    text = body.strip()
    if text.startswith("{"):
        return json.loads(text)
    import yaml

    loaded = yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader subclass
    if not isinstance(loaded, dict):
        raise ValueError("a template is a mapping with a Resources section")
    return loaded


def references(value: Any) -> set[str]:
    """The names a value refers to: ``Ref``, ``Fn::GetAtt`` and ``Fn::Sub`` variables (the part
    before the dot), pseudo parameters included."""
    found: set[str] = set()
    if isinstance(value, dict):
        if "Ref" in value and len(value) == 1:
            found.add(str(value["Ref"]))
        elif "Fn::GetAtt" in value and len(value) == 1:
            att = value["Fn::GetAtt"]
            found.add(str(att[0] if isinstance(att, list) else str(att).split(".", 1)[0]))
        elif "Fn::Sub" in value and len(value) == 1:
            sub = value["Fn::Sub"]
            text, variables = (sub[0], sub[1]) if isinstance(sub, list) else (sub, {})
            found |= {v.split(".", 1)[0] for v in _SUB_VAR.findall(str(text)) if v not in variables}
            found |= references(variables)
        else:
            for item in value.values():
                found |= references(item)
    elif isinstance(value, list):
        for item in value:
            found |= references(item)
    return found


def dangling_references(template: dict) -> list[str]:
    """Every reference to a name that is neither a parameter, a resource nor a pseudo parameter."""
    known = set(template.get("Parameters") or {}) | set(template.get("Resources") or {}) | PSEUDO_PARAMETERS
    problems = []
    for section in ("Resources", "Outputs"):
        for name, body in (template.get(section) or {}).items():
            for ref in sorted(references(body) - known):
                problems.append(f"{section}.{name} refers to '{ref}', which the template does not define")
    return problems


# -- the change a change set would make ------------------------------------------------------------
def _resolve(value: Any, params: dict[str, str], changed: set[str]) -> Any:
    """A comparable value: parameters replaced by their values; a reference to another resource
    kept as a symbol, marked when that resource is replaced (its name or ARN will change)."""
    def symbol(name: str, attr: str = "") -> str:
        if name in params:
            return str(params[name])
        mark = "#new" if name in changed else ""
        return f"<{name}{'.' + attr if attr else ''}{mark}>"

    if isinstance(value, dict):
        if "Ref" in value and len(value) == 1:
            return symbol(str(value["Ref"]))
        if "Fn::GetAtt" in value and len(value) == 1:
            att = value["Fn::GetAtt"]
            name, attr = (att[0], att[1]) if isinstance(att, list) else str(att).split(".", 1)
            return symbol(name, attr)
        if "Fn::Sub" in value and len(value) == 1:
            sub = value["Fn::Sub"]
            text, variables = (sub[0], sub[1]) if isinstance(sub, list) else (sub, {})
            resolved_vars = {k: _resolve(v, params, changed) for k, v in variables.items()}

            def put(match):
                var = match.group(1)
                if var in resolved_vars:
                    return str(resolved_vars[var])
                name, _, attr = var.partition(".")
                return symbol(name, attr)
            return _SUB_VAR.sub(put, str(text))
        return {k: _resolve(v, params, changed) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, params, changed) for v in value]
    return value


def _order(resources: dict) -> list[str]:
    """Resources in dependency order (a resource after everything it refers to or DependsOn)."""
    done: list[str] = []
    seen: set[str] = set()

    def visit(name: str, path: tuple = ()):
        if name in seen or name not in resources:
            return
        if name in path:
            raise ValueError(f"circular dependency through {name}")
        body = resources[name]
        depends = body.get("DependsOn") or []
        for dep in sorted(references(body.get("Properties") or {}) | set([depends] if isinstance(depends, str) else depends)):
            visit(dep, path + (name,))
        seen.add(name)
        done.append(name)

    for name in sorted(resources):
        visit(name)
    return done


def _requires(resource_type: str, prop: str) -> str:
    """The reference's "Update requires" of one property; an unknown one is treated as the worst
    case a reviewer must assume (Replacement)."""
    return UPDATE_REQUIRES.get(resource_type, {}).get(prop, "Replacement")


def _params(template: dict, given: dict[str, str]) -> dict[str, str]:
    """Parameter values: given ones, else the template's defaults, as strings (CloudFormation
    passes every parameter as a string)."""
    values = {k: str(v.get("Default")) for k, v in (template.get("Parameters") or {}).items()
              if isinstance(v, dict) and "Default" in v}
    values.update({k: str(v) for k, v in given.items()})
    return values


def plan_changes(old_template: dict, old_params: dict, new_template: dict, new_params: dict) -> list[dict]:
    """What a change set from (old template, old parameters) to (new ...) lists: one entry per
    resource added, removed or modified, in ``ResourceChange`` shape (``LogicalResourceId``,
    ``ResourceType``, ``Action`` Add/Remove/Modify, ``Replacement`` True/False/Conditional for a
    Modify, ``Details`` with each changed property's ``RequiresRecreation`` and ``Evaluation``)."""
    old_res, new_res = old_template.get("Resources") or {}, new_template.get("Resources") or {}
    old_p, new_p = _params(old_template, old_params), _params(new_template, new_params)
    changes: list[dict] = []
    moved: set[str] = set()  # resources whose name/ARN may change (replaced or conditionally)
    for name in _order(new_res):
        body = new_res[name]
        rtype = body.get("Type", "")
        if name not in old_res:
            changes.append({"LogicalResourceId": name, "ResourceType": rtype, "Action": "Add"})
            moved.add(name)
            continue
        old_body = old_res[name]
        if old_body.get("Type") != rtype:
            changes.append({"LogicalResourceId": name, "ResourceType": rtype, "Action": "Modify",
                            "Replacement": "True", "Details": [{"Name": "Type", "RequiresRecreation": "Always",
                                                                "Evaluation": "Static"}]})
            moved.add(name)
            continue
        old_props, new_props = old_body.get("Properties") or {}, body.get("Properties") or {}
        details = []
        for prop in sorted(set(old_props) | set(new_props)):
            before = _resolve(old_props.get(prop), old_p, set())
            after_static = _resolve(new_props.get(prop), new_p, set())
            after = _resolve(new_props.get(prop), new_p, moved)
            if before == after:
                continue
            evaluation = "Static" if before != after_static else "Dynamic"
            requires = _requires(rtype, prop)
            always = "Always" if requires == "Replacement" else "Never"
            verdict = REPLACEMENT_RULE[(always, evaluation)]
            recreation = "Conditionally" if verdict == "Conditional" else always
            details.append({"Name": prop, "RequiresRecreation": recreation, "Evaluation": evaluation,
                            "UpdateRequires": requires, "Replacement": verdict})
        if not details:
            continue
        replacement = max((d["Replacement"] for d in details), key=_IMPACT.index)
        if replacement != "False":
            moved.add(name)
        changes.append({"LogicalResourceId": name, "ResourceType": rtype, "Action": "Modify",
                        "Replacement": replacement, "Details": details})
    for name in sorted(set(old_res) - set(new_res)):
        changes.append({"LogicalResourceId": name, "ResourceType": old_res[name].get("Type", ""),
                        "Action": "Remove"})
    return changes


def replacement_review(changes: list[dict]) -> dict[str, str]:
    """The review a learner writes: each modified resource → its ``Replacement`` value."""
    return {c["LogicalResourceId"]: c["Replacement"] for c in changes if c["Action"] == "Modify"}


def normalise_review(review: Any) -> dict[str, str] | None:
    """A learner's review in any of the accepted shapes, as ``{logical id: "True"|"False"|"Conditional"}``:
    a mapping (values True/False booleans or strings, any case), or the ``Changes`` list that
    ``describe_change_set`` answers on AWS (``[{"ResourceChange": {...}}]``). ``None`` if unreadable."""
    words = {"true": "True", "false": "False", "conditional": "Conditional"}
    if isinstance(review, dict) and "Changes" in review:
        review = review["Changes"]
    if isinstance(review, list):
        found = {}
        for change in review:
            rc = change.get("ResourceChange", change) if isinstance(change, dict) else {}
            if rc.get("Action", "Modify") == "Modify" and "LogicalResourceId" in rc:
                found[rc["LogicalResourceId"]] = rc.get("Replacement")
        review = found
    if not isinstance(review, dict):
        return None
    out = {}
    for name, verdict in review.items():
        word = words.get(str(verdict).strip().lower())
        if word is None:
            return None
        out[str(name)] = word
    return out
