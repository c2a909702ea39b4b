"""The API's contract as its OpenAPI document states it, finished in one place rather than route by route.

FastAPI documents what the routes declare; this adds what every operation shares and what generated clients
need to rely on the document: the problem codes of each response (an `enum` on `code`, and a named example
per code), the headers of every answer (X-Request-ID, ETag, Location, Idempotent-Replayed, Retry-After,
RateLimit), the security of each operation, and a bound on every string, integer and list.
docs/api-contract.md explains the choices."""

import copy
import json
import re
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from app.core.errors import PROBLEM_CODES, PROBLEM_MEDIA_TYPE, DomainError

JSON = dict[str, Any]

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# Lists the service builds itself are documented with this bound when they have none of their own; no
# answer holds more (a harvest's allocations are a group's households times a plan's items).
LIST_MAX_ITEMS = 10_000
# The length of a string of a known format: a UUID, a day, a moment with its offset (and microseconds).
FORMAT_MAX_LENGTHS = {"uuid": 36, "date": 10, "date-time": 40, "email": 320, "uri": 2000, "password": 200}

PROBLEM_REF = "#/components/schemas/Problem"
OAUTH2_SCHEME = "OAuth2PasswordBearer"
API_KEY_SCHEME = "ApiKey"
API_KEY_SCOPE = "x-api-key-scope"
IDEMPOTENCY_KEY = "Idempotency-Key"
IDEMPOTENCY_KEY_MISSING = "idempotency-key-missing"


def _header(description: str, *, required: bool = False, max_length: int = 200, **schema: Any) -> JSON:
    return {
        "description": description,
        "required": required,
        "schema": {"type": "string", "maxLength": max_length, **schema},
    }


REQUEST_ID = _header(
    "This request's id: the one the client sent (letters, digits, `-`, `_`, `.`, at most 128), else a new one; "
    "every log line of the request names it.",
    required=True,
    max_length=128,
    pattern=r"^[A-Za-z0-9._-]+$",
)
ALLOW_ORIGIN = _header(
    "Present when the request came from a page of an origin in CORS_ALLOWED_ORIGINS: that origin.",
    max_length=2000,
    format="uri",
)
RATE_LIMIT = _header(
    'The caller\'s remaining quota, e.g. `"per-user";r=297;t=1` (draft-ietf-httpapi-ratelimit-headers): `r` '
    "requests left, `t` seconds until more are available. On every counted answer.",
    pattern=r"^[\x20-\x7e]*$",
)
RATE_LIMIT_POLICY = _header(
    'The caller\'s quota, e.g. `"per-user";q=300;w=60`: `q` requests per `w` seconds. On every counted answer.',
    pattern=r"^[\x20-\x7e]*$",
)
RETRY_AFTER = _header("Seconds to wait before sending the request again.", max_length=10, pattern=r"^[0-9]+$")
ETAG = _header(
    "The representation's entity tag: send it as If-Match to update it only if unchanged (412 otherwise), "
    "or as If-None-Match to be answered 304 while it is.",
    required=True,
    max_length=100,
    pattern=r'^(W/)?"[\x21\x23-\x7e]*"$',
)
LOCATION = _header(
    "The address of what was created, or where it is listed when it has no address of its own.",
    required=True,
    max_length=2000,
    format="uri-reference",
)
REPLAYED = _header(
    "`true` when this is the stored answer to an earlier request with the same Idempotency-Key and body.",
    enum=["true"],
)


def set_location(response: Response, url: str) -> None:
    """Name what a request created (RFC 9110 §10.2.2): every 201 answer says where to read it."""
    response.headers["Location"] = url


def replayed_id(replay: Response) -> str:
    """The `id` of what the first request with an Idempotency-Key created, read from its stored answer."""
    return str(json.loads(bytes(replay.body))["id"])


def sets_etag(status: int = 200) -> dict[int | str, JSON]:
    """The answer's `ETag` header, documented, for a route that sets it (`responses=... | sets_etag()`)."""
    return {status: {"headers": {"ETag": copy.deepcopy(ETAG)}}}


@dataclass(frozen=True)
class Problems:
    """Problems by status, each code with its title."""

    codes: Mapping[int, Mapping[str, str]]

    @classmethod
    def of(cls, *errors: type[DomainError], **more: tuple[int, str]) -> "Problems":
        codes: dict[int, dict[str, str]] = {}
        for error in errors:
            codes.setdefault(error.status, {})[error.code] = error.title
        for code, (status, title) in more.items():
            codes.setdefault(status, {})[code.replace("_", "-")] = title
        return cls(codes)


@dataclass(frozen=True)
class Contract:
    """What the document states beyond the routes: the problems every operation shares, the tags' and
    servers' descriptions, and which operations an API key may call."""

    tags: Mapping[str, str]
    servers: list[JSON]
    # Every operation: an outage, a bug.
    any_operation: Problems
    # Every operation reading a body: one too large, not JSON, not valid.
    with_body: Problems
    with_json_body: Problems
    # Every operation needing a caller.
    authenticated: Problems
    # Every operation the rate limits count.
    counted: Problems
    uncounted_paths: Collection[str] = frozenset()
    oauth2_description: str = ""
    refresh_url: str = ""
    api_key_description: str = ""
    # "POST /v1/trade-orders" → the scope a key needs for it; operations not listed are for users only.
    api_key_scopes: Mapping[str, str] = field(default_factory=dict)


def finish(document: JSON, contract: Contract) -> JSON:
    """The document FastAPI generated, completed as the module's docstring says."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    _declare_service(document, contract)
    for path, method, operation in _operations(document):
        _secure(operation, contract, f"{method.upper()} {path}")
        _tidy_parameters(operation, schemas)
        _name_request_body(operation, schemas)
        _complete_responses(operation, contract, counted=path not in contract.uncounted_paths)
        if method == "get":
            _answer_not_modified(operation)
    _title_uniquely(schemas)
    requests = _reachable(schemas, [op.get("requestBody", {}) for _, _, op in _operations(document)])
    for name, schema in schemas.items():
        _bound(schema, answered=name not in requests)
    for _, _, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            _bound(parameter["schema"], answered=False)
        _bound(operation.get("requestBody", {}), answered=False)
        _bound(operation["responses"], answered=True)
    return document


def _title_uniquely(schemas: JSON) -> None:
    """Client generators name their types after titles, so components sharing one (a model used both ways,
    `Declarations-Input` and `-Output`; two enums of one name in different domains) would collide and be
    left out: each of those is titled by its component's name, or by its domain and its own name where
    FastAPI named the component after its module (`app__outbox__models__Kind` would be `OutboxKind`)."""
    titles = Counter(schema.get("title") for schema in schemas.values())
    for name, schema in schemas.items():
        if schema.get("title", name) == name or titles[schema["title"]] == 1:
            continue
        parts = name.split("__")
        domain = "".join(word.title() for word in parts[1].split("_")) if len(parts) > 2 else ""
        title = f"{domain}{parts[-1]}" if domain and f"{domain}{parts[-1]}" not in titles else name
        schema["title"] = title
        titles[title] += 1


def _answer_not_modified(operation: JSON) -> None:
    """A read that tags its answer may answer 304 to an If-None-Match naming that tag (app.core.http)."""
    answered = operation["responses"].get("200", {})
    if "ETag" not in answered.get("headers", {}):
        return
    operation["responses"]["304"] = {
        "description": "Not modified: the If-None-Match names the current ETag; there is no body.",
        "headers": {
            "ETag": copy.deepcopy(ETAG),
            "X-Request-ID": copy.deepcopy(REQUEST_ID),
            "Access-Control-Allow-Origin": copy.deepcopy(ALLOW_ORIGIN),
        },
    }


def _operations(document: JSON) -> Iterator[tuple[str, str, JSON]]:
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            yield path, method, operation


def _declare_service(document: JSON, contract: Contract) -> None:
    document["servers"] = contract.servers
    used = {tag for _, _, operation in _operations(document) for tag in operation.get("tags", [])}
    document["tags"] = [
        {"name": name, "description": description} for name, description in contract.tags.items() if name in used
    ]
    schemes = document["components"].setdefault("securitySchemes", {})
    if OAUTH2_SCHEME in schemes:
        schemes[OAUTH2_SCHEME]["description"] = contract.oauth2_description
        schemes[OAUTH2_SCHEME]["flows"]["password"]["refreshUrl"] = contract.refresh_url
    schemes[API_KEY_SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "tk_…",
        "description": contract.api_key_description,
    }


def _secure(operation: JSON, contract: Contract, name: str) -> None:
    """Anonymous operations say so (`{}`: no credentials needed); an operation an API key may call names
    the key's scope as the alternative to a user's token."""
    requirements = operation.get("security")
    if not requirements:
        operation["security"] = [{}]
        return
    scope = contract.api_key_scopes.get(name)
    if scope is not None:
        # Scopes of a bearer scheme cannot be declared in OpenAPI 3.1 (only OAuth2 flows list them).
        if {API_KEY_SCHEME: []} not in requirements:
            requirements.append({API_KEY_SCHEME: []})
        operation[API_KEY_SCOPE] = scope


def _tidy_parameters(operation: JSON, schemas: JSON) -> None:
    """A query or header parameter is null by being left out: its schema is its type alone, and an enum is
    the component of that name rather than a copy of it."""
    codes = operation.get("responses", {}).get("400", {}).get(PROBLEM_CODES, {})
    for parameter in operation.get("parameters", []):
        schema = parameter["schema"]
        parameter["schema"] = schema = _without_null(schema)
        if "enum" in schema and "title" in schema:
            name = schema["title"]
            shared: JSON = {key: value for key, value in schema.items() if key not in ("description", "default")}
            if schemas.setdefault(name, shared).get("enum") == schema["enum"]:
                extras: JSON = {key: schema[key] for key in ("description", "default") if key in schema}
                parameter["schema"] = {"$ref": f"#/components/schemas/{name}", **extras}
        if parameter["name"] == IDEMPOTENCY_KEY and IDEMPOTENCY_KEY_MISSING in codes:
            # The service refuses the operation without it (400 idempotency-key-missing).
            parameter["required"] = True


def _without_null(schema: JSON) -> JSON:
    options = schema.get("anyOf")
    if not options or len(options) != 2 or {"type": "null"} not in options:
        return schema
    (kept,) = (option for option in options if option != {"type": "null"})
    return {**{key: value for key, value in schema.items() if key != "anyOf"}, **kept}


def _name_request_body(operation: JSON, schemas: JSON) -> None:
    """Every body is a named component, so clients get a type of that name: an optional body is its schema
    (the body may be left out), and a choice of bodies is a component named after what they share."""
    for content in operation.get("requestBody", {}).get("content", {}).values():
        schema = content["schema"]
        if "$ref" in schema:
            continue
        schema = _without_null(schema)
        if "oneOf" in schema:
            names = [option["$ref"].rsplit("/", 1)[-1] for option in schema["oneOf"]]
            name = _common_suffix(names) or operation["operationId"].title().replace("_", "") + "Body"
            schemas.setdefault(name, {**schema, "title": name})
            schema = {"$ref": f"#/components/schemas/{name}"}
        content["schema"] = {key: value for key, value in schema.items() if key != "title"}


def _common_suffix(names: list[str]) -> str:
    words = [re.findall(r"[A-Z][a-z0-9]*", name) for name in names]
    suffix: list[str] = []
    while all(len(parts) > len(suffix) for parts in words):
        candidates = {parts[-1 - len(suffix)] for parts in words}
        if len(candidates) != 1:
            break
        suffix.insert(0, candidates.pop())
    return "".join(suffix) if len(suffix) > 1 else ""


def _complete_responses(operation: JSON, contract: Contract, *, counted: bool) -> None:
    responses: JSON = operation["responses"]
    request_content = operation.get("requestBody", {}).get("content", {})
    shared = [contract.any_operation]
    if request_content:
        shared.append(contract.with_body)
    if "application/json" in request_content:
        shared.append(contract.with_json_body)
    if operation["security"] != [{}]:
        shared.append(contract.authenticated)
    if counted:
        shared.append(contract.counted)
    for problems in shared:
        for number, shared_codes in problems.codes.items():
            response = responses.setdefault(str(number), {"description": "", "content": {}})
            response.setdefault(PROBLEM_CODES, {}).update(shared_codes)
            titles = " ".join(f"{title}." for title in shared_codes.values())
            response["description"] = response["description"] or titles
    if not responses.get("400", {}).get(PROBLEM_CODES, True):
        del responses["400"]  # no code of this operation's is a 400: it never answers one
    idempotent = any(parameter["name"] == IDEMPOTENCY_KEY for parameter in operation.get("parameters", []))
    for status, response in responses.items():
        codes = response.pop(PROBLEM_CODES, None)
        if codes is not None:
            _document_problems(response, int(status), codes)
        headers = response.setdefault("headers", {})
        headers["X-Request-ID"] = REQUEST_ID
        headers["Access-Control-Allow-Origin"] = ALLOW_ORIGIN
        if status[0] in "24":
            headers["RateLimit"] = RATE_LIMIT
            headers["RateLimit-Policy"] = RATE_LIMIT_POLICY
        if status == "429":
            headers["Retry-After"] = {**RETRY_AFTER, "required": True}
        if status == "503":
            headers["Retry-After"] = RETRY_AFTER
        if status == "201":
            headers["Location"] = LOCATION
        if status[0] == "2" and idempotent:
            headers["Idempotent-Replayed"] = REPLAYED
        if "Accept" in headers:
            headers["Accept"]["schema"] = {"type": "string", "maxLength": 100, "enum": ["application/json"]}
    operation["responses"] = dict(sorted(responses.items()))


def _document_problems(response: JSON, status: int, codes: Mapping[str, str]) -> None:
    """The codes as an enum on `code` (typed clients get a union to switch on) and as named examples (the
    docs show each), and as the `x-problem-codes` list."""
    ordered = sorted(codes)
    response[PROBLEM_CODES] = ordered
    response["content"] = {
        PROBLEM_MEDIA_TYPE: {
            "schema": {
                "allOf": [{"$ref": PROBLEM_REF}],
                "properties": {"code": {"type": "string", "enum": ordered}},
            },
            "examples": {
                code: {
                    "summary": codes[code],
                    "value": {
                        "type": f"/problems/{code}",
                        "code": code,
                        "title": codes[code],
                        "status": status,
                        "detail": f"{codes[code]}.",
                    },
                }
                for code in ordered
            },
        }
    }


def _reachable(schemas: JSON, roots: list[Any]) -> set[str]:
    """The components that a value in `roots` refers to, directly or through other components."""
    found: set[str] = set()
    pending = list(roots)
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[-1]
                if name not in found:
                    found.add(name)
                    pending.append(schemas.get(name))
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


def _bound(node: Any, *, answered: bool) -> None:
    """Bounds every string, integer and list of `node` can carry: from the format when it implies one; for
    what the service answers (`answered`), the widest it sends when nothing narrower is declared. What a
    client sends has its bounds declared in the schemas, where they are enforced."""
    if isinstance(node, list):
        for item in node:
            _bound(item, answered=answered)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "string" and not {"maxLength", "enum", "const"} & node.keys():
        if node.get("format") in FORMAT_MAX_LENGTHS:
            node["maxLength"] = FORMAT_MAX_LENGTHS[node["format"]]
    elif kind == "integer":
        if answered and not {"minimum", "exclusiveMinimum"} & node.keys():
            node["minimum"] = 0
        if answered and not {"maximum", "exclusiveMaximum"} & node.keys():
            node["maximum"] = INT32_MAX
        low = next((node[key] for key in ("minimum", "exclusiveMinimum") if key in node), INT64_MIN)
        high = next((node[key] for key in ("maximum", "exclusiveMaximum") if key in node), INT64_MAX)
        node.setdefault("format", "int32" if low >= INT32_MIN and high <= INT32_MAX else "int64")
    elif kind == "array" and answered:
        node.setdefault("maxItems", LIST_MAX_ITEMS)
    for key, value in node.items():
        if key not in ("examples", "example", "default", "enum", "const"):
            _bound(value, answered=answered)
