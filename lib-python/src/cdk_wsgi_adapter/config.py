"""The contract with the CDK construct: variable names and parsing, the warm-up event,
the management command event and its answer.

The TypeScript side is `src/contracts/adapter-contract.ts`; test/contract-parity.test.ts
runs this module to check that both say the same.
"""

from __future__ import annotations

from .log import logger
from .media import DEFAULT_TEXT_MEDIA_TYPES, MediaTypes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from .event_handlers import EventHandlers

#: The WSGI callable, `package.module:attr` (attr may be dotted: `app:obj.wsgi_app`).
APP_VARIABLE = "CDK_WSGI_APP"
#: Comma-separated media types returned as text in addition to DEFAULT_TEXT_MEDIA_TYPES.
TEXT_MEDIA_TYPES_VARIABLE = "CDK_WSGI_TEXT_MEDIA_TYPES"
#: Comma-separated `binaryMediaTypes`; set by the construct for REST APIs only.
BINARY_MEDIA_TYPES_VARIABLE = "CDK_WSGI_BINARY_MEDIA_TYPES"
#: JSON object: custom domain name -> base path without slashes ("" = root mapping).
BASE_PATHS_VARIABLE = "CDK_WSGI_BASE_PATHS"
#: "1" when the function's published versions use Lambda SnapStart.
SNAP_START_VARIABLE = "CDK_WSGI_SNAP_START"
#: JSON object naming GET requests sent through the app at init, as the front door
#: would send them: `{"apiType": "REST" | "HTTP" | "FUNCTION_URL", "host": <domain
#: the front door serves>, "stage": <stage name, `$default` for a function URL>,
#: "paths": ["/", "/health", ...], "timeoutMillis": <how long priming may take in
#: all>}`.
PRIME_VARIABLE = "CDK_WSGI_PRIME"
#: A secret shared with the construct's CloudFront distribution, which sends it in
#: ORIGIN_SECRET_HEADER; unset or empty when the app has no distribution.
ORIGIN_SECRET_VARIABLE = "CDK_WSGI_ORIGIN_SECRET"
#: "0" when the distribution is the app's only way in: an HTTP request without the
#: secret is answered 403 and never reaches the app. Unset or any other value serves
#: it as a direct request. Applies only with ORIGIN_SECRET_VARIABLE set.
DIRECT_ACCESS_VARIABLE = "CDK_WSGI_DIRECT_ACCESS"
#: "1" when the front door is the CLI's local stand-in, which speaks plain HTTP
#: (`cdk-wsgi emulate`): the app then sees http and the local port, and URLs it
#: builds work for the client. Never set on Lambda, whose front doors are HTTPS.
LOCAL_HTTP_VARIABLE = "CDK_WSGI_LOCAL_HTTP"
#: The distribution's headers to the origin. The secret is an origin custom header;
#: a viewer-request CloudFront Function copies the viewer's Host and IP address into
#: the other two (CloudFront sends its origin's domain as Host, and API Gateway and
#: function URLs see its edge as the client).
ORIGIN_SECRET_HEADER = "x-cdk-wsgi-origin-secret"
VIEWER_HOST_HEADER = "x-cdk-wsgi-viewer-host"
VIEWER_ADDRESS_HEADER = "x-cdk-wsgi-viewer-address"
#: The viewer's scheme: always "https" from CloudFront, which redirects HTTP first;
#: "http" from `cdk-wsgi serve` standing in for the distribution on this machine.
VIEWER_PROTO_HEADER = "x-cdk-wsgi-viewer-proto"
#: The front doors a priming request can imitate (PRIME_VARIABLE's apiType).
PRIME_API_TYPES = ("REST", "HTTP", "FUNCTION_URL", "ALB")
#: The construct's warm-up event is `{"source": WARM_UP_SOURCE, "concurrency": N}`.
WARM_UP_SOURCE = "cdk-wsgi.warm-up"
#: Key of the warm-up event holding N, the number of environments to keep warm.
WARM_UP_CONCURRENCY_KEY = "concurrency"
#: The largest N honoured; the construct accepts no more.
WARM_UP_MAX_CONCURRENCY = 100
#: A management command, sent by the `cdk-wsgi` CLI straight to the function (Invoke
#: with IAM credentials; no front door lets a client set a top-level key) is
#: `{"source": COMMAND_SOURCE, "kind": K, <COMMAND_FIELDS[K]>: ...}`. Its answer is
#: `{"exitCode": int, "output": [["stdout" | "stderr", text], ...], "truncated": bool}`,
#: the output in the order written.
COMMAND_SOURCE = "cdk-wsgi.command"
#: python: `code`, source run as `python -c` does; shell: `command`, run by /bin/sh -c
#: in the task root; manage: `args`, Django's `manage.py ARGS`; flask: `args`, the
#: Flask CLI's `flask ARGS` with the function's app.
COMMAND_KINDS = ("python", "shell", "manage", "flask")
#: Kind -> the key holding its command: a string (code, command) or a list of strings.
COMMAND_FIELDS = {
    "python": "code",
    "shell": "command",
    "manage": "args",
    "flask": "args",
}
#: "0" turns management commands off (answered with exit code 126); unset or any
#: other value leaves them on.
MANAGEMENT_VARIABLE = "CDK_WSGI_MANAGEMENT"
#: The alias through which commands are accepted (besides a numbered version, which
#: deploy tasks invoke): invoke rights on `live`, held by front doors and any caller
#: of the app, never grant a shell. Any other qualifier is answered with exit code 126.
MANAGE_ALIAS_NAME = "manage"

#: The field a scheduled command's event adds: the schedule's name. The adapter then
#: logs the command's output and fails the invocation when it exits non-zero, so
#: the scheduler's retries and the function's error metrics see it.
SCHEDULE_FIELD = "schedule"
#: The errorType of a scheduled command's failed invocation (its exception class);
#: its errorMessage ends with SCHEDULED_EXIT and the exit status.
SCHEDULED_COMMAND_ERROR = "ScheduledCommandError"
SCHEDULED_EXIT = "exited with "
#: A background task event, sent by the function to its own `live` alias (an
#: asynchronous Invoke): `{"source": TASK_SOURCE, "task": "module:qualname",
#: "args": [...], "kwargs": {...}}`. Only a function registered with `task`, from a
#: module in the function's code, runs.
TASK_SOURCE = "cdk-wsgi.task"
TASK_FIELDS = {"name": "task", "args": "args", "kwargs": "kwargs"}
#: "1" when the construct's backgroundTasks lets the function queue tasks; unset,
#: `.delay()` on Lambda raises, naming the prop.
BACKGROUND_TASKS_VARIABLE = "CDK_WSGI_BACKGROUND_TASKS"
#: The alias a task is queued on.
TASK_ALIAS_NAME = "live"
#: Lambda's limit on an asynchronous invocation's payload, in bytes.
ASYNC_PAYLOAD_LIMIT = 1024 * 1024
#: JSON list of {"handler": "module:attr", "source": kind, "arn": ...}: the
#: callables addEventHandler registered and the events each takes (the kind and ARN
#: the event names; for an EventBridge rule, RULE_EVENT_SOURCE and the handler).
EVENT_HANDLERS_VARIABLE = "CDK_WSGI_EVENT_HANDLERS"
EVENT_SOURCE_KINDS = (
    "aws:sqs",
    "aws:kinesis",
    "aws:dynamodb",
    "aws:s3",
    "aws:sns",
    "cdk-wsgi.event",
)
#: An EventBridge rule's event, wrapped by the rule's target (EventBridge events do
#: not name the rule): `{"source": RULE_EVENT_SOURCE, "handler": "module:attr",
#: "event": <the event>}`.
RULE_EVENT_SOURCE = "cdk-wsgi.event"
RULE_EVENT_FIELDS = {"handler": "handler", "event": "event"}


class Options:
    """Per-handler translation options (the parsed form of the variables above)."""

    __slots__ = (
        "base_paths",
        "binary_media_types",
        "direct_access",
        "event_handlers",
        "origin_secret",
        "text_media_types",
    )

    def __init__(
        self,
        *,
        text_media_types: Iterable[str] = (),
        binary_media_types: Iterable[str] | None = None,
        base_paths: Mapping[str, str] | None = None,
        origin_secret: str | None = None,
        direct_access: bool = True,
        event_handlers: EventHandlers | None = None,
    ) -> None:
        self.text_media_types = MediaTypes(
            (*DEFAULT_TEXT_MEDIA_TYPES, *text_media_types)
        )
        #: The REST API's binaryMediaTypes; None for the other front doors, which
        #: decode isBase64Encoded whatever the type.
        self.binary_media_types = (
            None if binary_media_types is None else MediaTypes(binary_media_types)
        )
        #: Custom domain (lowercase) -> base path without slashes.
        self.base_paths = {
            domain.strip().lower(): path.strip("/")
            for domain, path in (base_paths or {}).items()
        }
        #: The UTF-8 bytes of ORIGIN_SECRET_VARIABLE; None ("" too) when the app has
        #: no distribution in front.
        self.origin_secret = origin_secret.encode() if origin_secret else None
        #: False: a request without origin_secret is refused (distribution.py);
        #: meaningless without one.
        self.direct_access = direct_access
        #: The callables registered for non-HTTP event sources (event_handlers.py);
        #: None when there are none.
        self.event_handlers = event_handlers


def parse_base_paths(value: str) -> dict[str, str]:
    """Parse CDK_WSGI_BASE_PATHS; log an error and return {} unless a string map."""
    import json  # json pulls in `re`; only paid when a custom domain is configured

    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and all(isinstance(v, str) for v in parsed.values()):
        return parsed
    logger().error(
        "%s must be a JSON object of domain name -> base path; ignoring %r",
        BASE_PATHS_VARIABLE,
        value,
    )
    return {}


class PrimeConfig:
    """The parsed form of PRIME_VARIABLE."""

    __slots__ = ("api_type", "host", "paths", "stage", "timeout_millis")

    def __init__(
        self,
        *,
        api_type: str,
        host: str,
        stage: str,
        paths: Iterable[str],
        timeout_millis: int,
    ) -> None:
        #: One of PRIME_API_TYPES.
        self.api_type = api_type
        #: The custom domain name, else the execute-api host, the function URL's
        #: `<url-id>.lambda-url.<region>.on.aws`, or the load balancer's DNS name.
        self.host = host
        self.stage = stage
        #: Absolute paths, each once, in the order given.
        self.paths = tuple(dict.fromkeys(paths))
        #: How long priming may take in all, in milliseconds.
        self.timeout_millis = timeout_millis


#: RFC 3986 pchar without percent-escapes, and "/": what the construct accepts for a
#: priming path, which reads the same percent-encoded (REST) and decoded (HTTP APIs).
_PRIME_PATH_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/"
)


def parse_prime(value: str) -> PrimeConfig | None:
    """Parse PRIME_VARIABLE; log an error and return None unless well-formed."""
    import json  # paid only when priming is asked for

    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        problem = "not a JSON object"
    else:
        api_type, host, stage, paths, timeout = (
            parsed.get(key)
            for key in ("apiType", "host", "stage", "paths", "timeoutMillis")
        )
        if api_type not in PRIME_API_TYPES:
            problem = "apiType must be 'REST', 'HTTP', 'FUNCTION_URL' or 'ALB'"
        elif not (isinstance(host, str) and host):
            problem = "host must be a domain name"
        # A load balancer has no stages: its stage is "".
        elif not (isinstance(stage, str) and (stage or api_type == "ALB")):
            problem = "stage must be a stage name"
        elif not (isinstance(paths, list) and all(map(_is_prime_path, paths))):
            problem = (
                "paths must be a list of absolute paths of plain URL characters, "
                "without query or '%' escapes"
            )
        elif not (
            isinstance(timeout, int) and not isinstance(timeout, bool) and timeout > 0
        ):
            problem = "timeoutMillis must be a positive integer of milliseconds"
        else:
            return PrimeConfig(
                api_type=api_type,
                host=host,
                stage=stage,
                paths=paths,
                timeout_millis=timeout,
            )
    logger().error(
        "%s is malformed (%s), so nothing is primed; ignoring %r",
        PRIME_VARIABLE,
        problem,
        value,
    )
    return None


def _is_prime_path(path: object) -> bool:
    return (
        isinstance(path, str)
        and path.startswith("/")
        and _PRIME_PATH_CHARS.issuperset(path)
    )


def load_settings(environ: Mapping[str, str]) -> tuple[str | None, Options]:
    """The app spec and options the construct set in `environ` (normally os.environ)."""
    binary = environ.get(BINARY_MEDIA_TYPES_VARIABLE)
    base_paths = environ.get(BASE_PATHS_VARIABLE, "").strip()
    options = Options(
        text_media_types=environ.get(TEXT_MEDIA_TYPES_VARIABLE, "").split(","),
        binary_media_types=None if binary is None else binary.split(","),
        base_paths=parse_base_paths(base_paths) if base_paths else None,
        origin_secret=environ.get(ORIGIN_SECRET_VARIABLE),
        direct_access=environ.get(DIRECT_ACCESS_VARIABLE) != "0",
        event_handlers=_event_handlers(environ.get(EVENT_HANDLERS_VARIABLE, "")),
    )
    return environ.get(APP_VARIABLE, "").strip() or None, options


def _event_handlers(value: str) -> EventHandlers | None:
    if not value.strip():
        return None
    from .event_handlers import parse_event_handlers  # json and the module: only then

    return parse_event_handlers(value)
