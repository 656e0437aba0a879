"""CloudFormation's intrinsic functions, as far as CDK emits them in resource properties and Lambda
environments: Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::If and the condition functions.

A resource's Ref and attributes are what the stand-up recorded when it created (or deliberately skipped) it;
asking for one that is not there yet is an error, never a guess, so a template whose order the stand-up got
wrong fails loudly instead of wiring a Lambda to a name that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# AWS::NoValue removes the property that holds it, as CloudFormation does.
NO_VALUE: Any = object()

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class TemplateError(ValueError):
    """The template asks for something this resolver cannot give (an unknown function, a missing resource)."""


@dataclass(frozen=True)
class Physical:
    """What CloudFormation answers for a resource: its Ref and its Fn::GetAtt attributes."""

    ref: str
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Resolver:
    """Resolves values of one template in one stack (region, account, parameters, the resources so far)."""

    template: Mapping[str, Any]
    stack_name: str
    region: str
    account: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    resources: dict[str, Physical] = field(default_factory=dict)

    def pseudo(self) -> dict[str, str]:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack_name,
            "AWS::StackId": (
                f"arn:aws:cloudformation:{self.region}:{self.account}:stack/{self.stack_name}/offline"
            ),
        }

    def resolve(self, value: Any) -> Any:
        """``value`` with every intrinsic function replaced by its result (AWS::NoValue entries dropped)."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            [(name, argument)] = value.items()
            if name == "Ref" or name.startswith("Fn::") or name == "Condition":
                return self._function(name, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def text(self, value: Any) -> str:
        """A value that must resolve to a string (a name, an ARN, an environment variable)."""
        resolved = self.resolve(value)
        if isinstance(resolved, bool):
            return "true" if resolved else "false"
        if isinstance(resolved, int | float):
            return str(resolved)
        if not isinstance(resolved, str):
            raise TemplateError(f"{value!r} resolves to {resolved!r}, not a string")
        return resolved

    def condition(self, name: str) -> bool:
        conditions = self.template.get("Conditions", {})
        if name not in conditions:
            raise TemplateError(f"no condition {name}")
        return self._truth(conditions[name])

    def ref(self, name: str) -> str:
        pseudo = self.pseudo()
        if name in pseudo:
            return pseudo[name]
        if name in self.resources:
            return self.resources[name].ref
        declared = self.template.get("Parameters", {})
        if name in self.parameters:
            return self.parameters[name]
        if name in declared:
            if "Default" not in declared[name]:
                raise TemplateError(f"parameter {name} has no value and no default")
            return str(declared[name]["Default"])
        raise TemplateError(f"Ref {name}: no such resource (not stood up yet?) or parameter")

    def get_att(self, logical_id: str, attribute: str) -> str:
        physical = self.resources.get(logical_id)
        if physical is None:
            raise TemplateError(f"Fn::GetAtt {logical_id}.{attribute}: {logical_id} is not stood up")
        if attribute not in physical.attributes:
            raise TemplateError(f"Fn::GetAtt {logical_id}.{attribute}: no such attribute")
        return physical.attributes[attribute]

    def _function(self, name: str, argument: Any) -> Any:
        if name == "Ref":
            return NO_VALUE if argument == "AWS::NoValue" else self.ref(argument)
        if name == "Fn::GetAtt":
            logical_id, attribute = (
                argument.split(".", 1) if isinstance(argument, str) else [self.text(a) for a in argument]
            )
            return self.get_att(logical_id, attribute)
        if name == "Fn::Join":
            delimiter, items = argument
            return self.text(delimiter).join(self.text(item) for item in self.resolve(items))
        if name == "Fn::Sub":
            return self._sub(argument)
        if name == "Fn::Select":
            index, items = argument
            return self.resolve(items)[int(self.resolve(index))]
        if name == "Fn::Split":
            delimiter, source = argument
            return self.text(source).split(self.text(delimiter))
        if name == "Fn::If":
            condition, when_true, when_false = argument
            return self.resolve(when_true if self.condition(condition) else when_false)
        if name in ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition"):
            return self._truth({name: argument})
        raise TemplateError(f"{name} is not resolved offline")

    def _truth(self, value: Any) -> bool:
        [(name, argument)] = value.items()
        if name == "Condition":
            return self.condition(argument)
        if name == "Fn::Equals":
            left, right = (self.resolve(a) for a in argument)
            return bool(left == right)
        if name == "Fn::Not":
            return not self._truth(argument[0])
        if name == "Fn::And":
            return all(self._truth(a) for a in argument)
        if name == "Fn::Or":
            return any(self._truth(a) for a in argument)
        raise TemplateError(f"{name} is not a condition function")

    @staticmethod
    def sub_names(source: str) -> list[str]:
        """The names a Fn::Sub string substitutes (not its ${!literals})."""
        return [name for name in _SUB_VARIABLE.findall(source) if not name.startswith("!")]

    def _sub(self, argument: Any) -> str:
        source, variables = (argument, {}) if isinstance(argument, str) else argument
        values = {key: self.text(item) for key, item in variables.items()}

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal} is the literal ${Literal}
                return "${" + name[1:] + "}"
            if name in values:
                return values[name]
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self.get_att(logical_id, attribute)
            return self.ref(name)

        return _SUB_VARIABLE.sub(one, source)
