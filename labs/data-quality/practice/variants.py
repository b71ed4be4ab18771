"""data-quality: other valid ways (must pass) and near misses (must fail saying what to fix)."""
from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("data-quality").load_steps()


def _ruleset(replace: dict):
    def build(ctx):
        text = _steps().RULESET
        for old, new in replace.items():
            assert old in text, old
            text = text.replace(old, new)
        _steps().apply_ruleset(ctx, text)
    return build


def _recipe(change):
    def build(ctx):
        steps = _steps()
        tweak(ctx, "databrew", "CreateRecipe", lambda params: params.update(Steps=change(params["Steps"])),
              steps.apply_databrew_recipe)
    return build


def _without(operation):
    return lambda recipe_steps: [s for s in recipe_steps if s["Action"]["Operation"] != operation]


def _remove_duplicates_on(column):
    def change(recipe_steps):
        kept = _without("DELETE_DUPLICATE_ROWS")(recipe_steps)
        return kept + [{"Action": {"Operation": "REMOVE_DUPLICATES", "Parameters": {"sourceColumn": column}}}]
    return change


def _lower_case_first(recipe_steps):
    return [recipe_steps[1], recipe_steps[0], *recipe_steps[2:]]


def _one_regex_for_both_typos(recipe_steps):
    fixes = [s for s in recipe_steps if s["Action"]["Operation"] == "REPLACE_TEXT"]
    others = [s for s in recipe_steps if s["Action"]["Operation"] != "REPLACE_TEXT"]
    assert len(fixes) == 2
    return others[:2] + fixes[::-1] + others[2:]  # the two fixes in the other order


def _not_published(ctx):
    steps = _steps()
    brew = ctx.client("databrew")
    ctx.track("databrew:dataset", steps._dataset(ctx))
    brew.create_dataset(Name=steps._dataset(ctx), Format="CSV",
                        Input={"S3InputDefinition": {"Bucket": steps._bucket(ctx), "Key": steps.RAW_KEY}})
    ctx.track("databrew:recipe", steps._recipe(ctx))
    brew.create_recipe(Name=steps._recipe(ctx), Steps=steps.RECIPE_STEPS)


def _dataset_on_the_clean_table(ctx):
    tweak(ctx, "databrew", "CreateDataset",
          lambda p: p["Input"]["S3InputDefinition"].update(Key="clean/customers.csv"), _steps().apply_databrew_recipe)


def _made_up_operation(recipe_steps):
    return [{"Action": {"Operation": "TRIM_WHITESPACE", "Parameters": {"sourceColumn": "plan"}}}, *recipe_steps[1:]]


VARIANTS = [
    accept("ruleset", "Completeness \"income\" >= 0.96 (stricter, still allows 3 % missing)",
           _ruleset({'Completeness "income" > 0.95': 'Completeness "income" >= 0.96'})),
    accept("ruleset", "Uniqueness \"customer_id\" = 1.0 instead of IsUnique",
           _ruleset({'IsUnique "customer_id"': 'Uniqueness "customer_id" = 1.0'})),
    accept("ruleset", "Completeness \"age\" = 1 instead of IsComplete",
           _ruleset({'IsComplete "age"': 'Completeness "age" = 1'})),
    accept("ruleset", "the age range as a composite of two rules",
           _ruleset({'ColumnValues "age" between 18 and 100':
                     '(ColumnValues "age" >= 18) and (ColumnValues "age" <= 100)'})),
    accept("ruleset", "plan checked with a regular expression",
           _ruleset({'ColumnValues "plan" in ["basic", "standard", "premium"]':
                     'ColumnValues "plan" matches "basic|standard|premium"'})),
    reject("ruleset", "Completeness \"income\" > 0.5 (wrong threshold)",
           _ruleset({'Completeness "income" > 0.95': 'Completeness "income" > 0.5'}), fix="10 % of incomes missing"),
    reject("ruleset", "IsComplete \"income\" (stricter than the task: up to 5 % may be missing)",
           _ruleset({'Completeness "income" > 0.95': 'IsComplete "income"'}), fix="up to 5 % missing"),
    reject("ruleset", "plan list also allows 'Premium'",
           _ruleset({'"premium"]': '"premium", "Premium"]'}), fix="a plan 'Premium'"),
    reject("ruleset", "no rule on the label", _ruleset({',\n    ColumnValues "churned" in [0, 1]': ''}),
           fix="a label of 2"),
    reject("ruleset", "lower-case 'rules =' (DQDL is case sensitive)", _ruleset({"Rules = [": "rules = ["}),
           fix="expected Rules"),
    reject("ruleset", "a composite without parentheses",
           _ruleset({'IsComplete "age",\n    ColumnValues "age" between 18 and 100':
                     'IsComplete "age" and ColumnValues "age" between 18 and 100'}), fix="expected"),
    accept("databrew_recipe", "REMOVE_DUPLICATES on customer_id instead of DELETE_DUPLICATE_ROWS",
           _recipe(_remove_duplicates_on("customer_id"))),
    accept("databrew_recipe", "LOWER_CASE before the whitespace trim", _recipe(_lower_case_first)),
    accept("databrew_recipe", "the two typo fixes in the other order", _recipe(_one_regex_for_both_typos)),
    reject("databrew_recipe", "no DELETE_DUPLICATE_ROWS step", _recipe(_without("DELETE_DUPLICATE_ROWS")),
           fix="rows, the clean step has"),
    reject("databrew_recipe", "REMOVE_DUPLICATES on plan (keeps one customer per plan)",
           _recipe(_remove_duplicates_on("plan")), fix="rows, the clean step has"),
    reject("databrew_recipe", "no whitespace trim", _recipe(_without("REMOVE_COMBINED")), fix="rows differ"),
    reject("databrew_recipe", "an operation name DataBrew does not have", _recipe(_made_up_operation),
           fix="unknown"),
    reject("databrew_recipe", "created but never published", _not_published, fix="published"),
    reject("databrew_recipe", "the dataset points at the cleaned table", _dataset_on_the_clean_table,
           fix="raw"),
]
