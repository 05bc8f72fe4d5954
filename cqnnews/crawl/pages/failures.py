"""Why a request failed, in a few words: for the logs, the summary and the crawl state's pending reasons."""

from __future__ import annotations

from twisted.python.failure import Failure


def failure_reason(failure: Failure) -> str:
    """Why a request failed, in a few words: ``HTTP 404``, ``forbidden by robots.txt``, ``TimeoutError``..."""
    value = failure.value
    response = getattr(value, "response", None)
    if response is not None and getattr(response, "status", None):
        return f"HTTP {response.status}"
    message = failure.getErrorMessage() or failure.type.__name__
    if "robots.txt" in message:
        return "forbidden by robots.txt"
    return f"{failure.type.__name__}: {message}" if message != failure.type.__name__ else message


_UNANSWERED = {"ConnectionRefusedError": "connection refused", "DownloadConnectionRefusedError": "connection refused",
               "DNSLookupError": "the host name does not resolve", "TimeoutError": "no answer in time",
               "DownloadTimeoutError": "no answer in time", "TCPTimedOutError": "no answer in time",
               "ConnectError": "no connection", "NoRouteError": "no route to the host"}


def unanswered(failure: Failure) -> str | None:
    """Why an origin did not answer at all (refused, not resolved, timed out), in a few words; None for a page
    that answered (an HTTP error, a bad body...)."""
    error: BaseException | None = failure.value
    seen: set[int] = set()
    while error is not None and id(error) not in seen:  # the exception and what it was raised from
        seen.add(id(error))
        for kind in type(error).__mro__:
            if kind.__name__ in _UNANSWERED:
                return _UNANSWERED[kind.__name__]
        error = error.__cause__ or error.__context__
    return None
