import pytest, schemathesis
from hypothesis import given, settings, HealthCheck
from schemathesis.generation.modes import GenerationMode

@pytest.fixture(scope="module")
def api_schema(assistant, tmp_path_factory):
    from qa.server import Settings, create_app
    app = create_app(assistant, Settings(rate_limit_per_minute=0, data_dir=tmp_path_factory.mktemp("st")))
    return schemathesis.openapi.from_asgi("/openapi.json", app)

@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api(api_schema, mode):
    ops = [r.ok() for r in api_schema.get_all_operations()]
    print([o.label for o in ops])
    for op in ops:
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(op.as_strategy(generation_mode=mode))
        def run(case):
            from schemathesis.specs.openapi.checks import positive_data_acceptance
            case.call_and_validate(excluded_checks=[positive_data_acceptance])
        run()
