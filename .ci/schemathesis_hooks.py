# Loaded by .ci/schemathesis (SCHEMATHESIS_HOOKS). Adds checks; from the document it loads it
# removes one keyword, the free-text `maxLength` (below), and nothing else.
import json
import re

import jsonschema_rs
import schemathesis


# Every free text in the document has `maxLength: 20000` beside its `pattern`. To violate it,
# the negative mode draws strings from 20,001 characters up to megabytes (one body was 2.9 MB):
# with it, the fuzzing phase alone grew Schemathesis from 80 MB to 4.7 GB in 140 s (2026-12-03,
# the CI run's seed), and a whole run aborted at 5.1 GB on .ci/schemathesis's memory bound. So
# the copy Schemathesis generates from has no `maxLength` where the text pattern is; the limit
# at every such field, at 20,000 and 20,001 characters, is tested by tests/api/bounds.rs, which
# reads the fields from the served document.
@schemathesis.hook
def before_load_schema(context, raw_schema):
    def walk(value):
        if isinstance(value, dict):
            pattern = value.get("pattern")
            if isinstance(pattern, str) and pattern.startswith(_TEXT_PATTERN_START):
                value.pop("maxLength", None)
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(raw_schema)


# How `domain::TEXT_PATTERN` begins; no other pattern in the document does.
_TEXT_PATTERN_START = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20"

# The import body is NDJSON text, documented as a string: send the generated string as it is.
# Without this, `POST /v1/import` errors with "Serialization not possible".
schemathesis.serializer.alias("application/x-ndjson", "text/plain")


# schemathesis.toml lets `positive_data_acceptance` take 400/412/422 on the operations where the API
# refuses schema-valid requests for reasons no schema can state. A status alone cannot tell such a
# refusal from a document that is wrong (a field it does not list, a format it does not state), so
# this check holds every such refusal of a schema-valid request to the server's own explanation:
# each error it names must be one of the refusals below. Anything else is the document failing to
# say what the server requires, and fails the run.
_ANY = r".*"
_SEMANTIC = [
    # (methods, path regex, status, problem `code` regex, field regex, message regex)
    # A record named in the body, or a parent in the path, that does not exist.
    ("POST|PATCH", _ANY, 422, "validation_failed", _ANY, r"^there is no "),
    # A unit of another dimension than the (stored) indicator measures.
    ("POST|PATCH", _ANY, 422, "validation_failed", r"/unit$", r" measures .+, but .+ measures "),
    ("POST|PATCH", r"^/v1/claims", 422, "validation_failed", r"^/supersedes$", r"^a claim cannot supersede itself$"),
    # Cross-field rules between numbers, and a magnitude that depends on the unit.
    ("POST|PATCH", r"^/v1/claims", 422, "validation_failed", r"/(lower|upper)$", r"^must not be (above|below) value$"),
    ("POST|PATCH", r"^/v1/claims", 422, "validation_failed", r"/(value|lower|upper)$", r"^is too large: at most "),
    # An Idempotency-Key reused with another body (draft-ietf-httpapi-idempotency-key-header).
    ("POST", _ANY, 422, "validation_failed", r"^Idempotency-Key$", r"^was used with a different request"),
    # A merge patch is valid only together with the stored record it completes (RFC 7396).
    ("PATCH", _ANY, 422, "validation_failed", _ANY,
     r"^(only a prediction has a horizon|is required with |is required: (its names|the claim's words)"
     r"|says more than its precision)"),
    # Two keys of one language, differing only in case or form ("en" and "EN"): a JSON Schema
    # cannot say that property names must differ once normalised.
    ("POST|PATCH", _ANY, 422, "validation_failed", _ANY, r"^is the same language as the key "),
    # Two aliases of a claimant that differ only in ASCII case, or only in their `lang`, are one
    # (`claimant=` matches them ignoring case): `uniqueItems` states only the identical ones.
    ("POST|PATCH", r"^/v1/claimants", 422, "validation_failed", r"^/aliases/\d+/alias$",
     r"^is the alias at /aliases/\d+/alias again "),
    # If-Match and If-None-Match state their form by a pattern, but Schemathesis 4.32.5's coverage
    # phase (scenario "object_required_and_optional") sends the integer 0 for If-None-Match and
    # labels it schema-valid, which the parameter's type and pattern both exclude.
    ("PATCH|DELETE", _ANY, 400, "invalid_parameter", r"^if-(none-)?match$",
     r"^must be \* or entity-tags in double quotes"),
    # Opaque pagination tokens, and query rules that span two parameters or depend on data.
    ("GET", _ANY, 400, "invalid_cursor", _ANY, _ANY),
    ("GET", r"^/v1/claims$", 400, "invalid_parameter", r"^sort$", r"^-relevance needs a search"),
    ("GET", r"^/v1/claims$", 400, "invalid_parameter", r"^value_(min|max)$", r", but .+ measures "),
    # NDJSON records, which the document can only call a string.
    ("POST", r"^/v1/import$", 400, _ANY, _ANY, r"^The request body cannot be read: line \d+ "),
    ("POST", r"^/v1/import$", 422, _ANY, _ANY, _ANY),
]


def _errors(response):
    try:
        problem = json.loads(response.content)
    except ValueError:
        return None, [("", response.text[:200])]
    code = str(problem.get("code", ""))
    errors = problem.get("errors") or [{"field": "", "message": problem.get("detail", "")}]
    return code, [(str(e.get("field", "")), str(e.get("message", ""))) for e in errors]


_BODY_VALIDATORS = {}


def _body_is_valid(case):
    """Whether the JSON body, if any, is valid against the document, checked here rather than
    taken from the generator's label: the coverage phase combines property examples without the
    document's `if`/`then` rules (a horizon on an opinion), and such a body is not valid data."""
    if not isinstance(case.body, (dict, list)):
        return True
    raw = case.operation.schema.raw_schema
    operation = raw["paths"][case.path][case.method.lower()]
    media = case.media_type or "application/json"
    key = (case.path, case.method.lower(), media)
    if key not in _BODY_VALIDATORS:
        schema = operation.get("requestBody", {}).get("content", {}).get(media, {}).get("schema")
        _BODY_VALIDATORS[key] = schema and jsonschema_rs.Draft202012Validator(
            {"$ref": "#/$defs/body", "$defs": {"body": schema}, "components": raw.get("components", {})}
        )
    validator = _BODY_VALIDATORS[key]
    return not validator or validator.is_valid(case.body)


@schemathesis.check
def refusals_of_valid_data_are_explained(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code not in (400, 422):
        return None
    if not _body_is_valid(case):
        return None
    method = case.method.upper()
    code, errors = _errors(response)
    unexplained = [
        (field, message)
        for field, message in errors
        if not any(
            re.fullmatch(methods, method)
            and re.search(path, case.path)
            and status == response.status_code
            and re.fullmatch(code_re, code or "")
            and re.search(field_re, field)
            and re.search(message_re, message)
            for methods, path, status, code_re, field_re, message_re in _SEMANTIC
        )
    ]
    if unexplained:
        listed = "; ".join(f"{field or '(request)'}: {message}" for field, message in unexplained[:5])
        raise AssertionError(
            f"A schema-valid request was refused with {response.status_code} for a reason the document "
            f"could state but does not: {listed}"
        )
    return None
