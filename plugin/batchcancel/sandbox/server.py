"""HTTP plumbing: a threaded HTTP/1.1 (keep-alive) server on loopback that routes each request to an
exchange server by path prefix, applies latency and faults, and logs every request."""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import struct
import threading
import time
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from .book import SandboxOrder
from .exchange import ExchangeServer
from .faults import (
    ACK_NOT_APPLIED,
    BATCH_ONLY_FAULTS,
    CANNED_REPLIES,
    ECHO_HEADERS,
    GARBLED_NOT_APPLIED,
    HTTP_500,
    HTTP_502,
    LOST_REPLIES,
    MAINTENANCE,
    MALFORMED_JSON,
    OK_WITHOUT_ID,
    RATE_LIMIT,
    REDIRECT,
    RESET,
    TIMEOUT_APPLIED,
    TIMEOUT_NOT_APPLIED,
    TRICKLE,
    TRUNCATED_JSON,
    Fault,
    FaultPlan,
    LatencyPlan,
)
from .log import RequestLog, ServedRequest
from .wire import HttpRequest, Reply

_WORD_SPLIT = re.compile(r"[^A-Za-z0-9_.:/-]+")

logger = logging.getLogger(__name__)


def check_loopback(host: str) -> str:
    """The host to bind, refusing anything that is not a loopback address."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"the sandbox binds to loopback only; {host!r} is not an IP address") from None
    if not address.is_loopback:
        raise ValueError(f"the sandbox binds to loopback only; {host} is not a loopback address")
    return host


class Router:
    """Everything between a parsed request and the bytes written back."""

    def __init__(
        self,
        servers: Mapping[str, ExchangeServer],
        fallback: ExchangeServer,
        faults: FaultPlan,
        latency: LatencyPlan,
        log: RequestLog,
        stopping: threading.Event,
    ) -> None:
        # Longest prefix first, so a more specific prefix wins over a shorter one.
        self.servers = dict(sorted(servers.items(), key=lambda entry: len(entry[0]), reverse=True))
        self.fallback = fallback
        self.faults = faults
        self.latency = latency
        self.log = log
        self.stopping = stopping

    def server_for(self, path: str) -> ExchangeServer:
        """The exchange whose path prefix ``path`` starts with; the fallback answers the rest (junk)."""
        for prefix, server in self.servers.items():
            if path.startswith(prefix):
                return server
        return self.fallback

    def serve(self, request: HttpRequest, handler: _Handler) -> None:
        started, generation = time.time(), self.log.generation
        exchange = self.server_for(request.path)
        delay = self.latency.delay_s(request.path)
        if delay:
            # The way there: half the round trip before the exchange applies the request.
            self.stopping.wait(delay / 2)
        fault = self.faults.take(request.path)
        if fault is not None and fault.kind in BATCH_ONLY_FAULTS and not exchange.is_batch(request.path):
            fault = None  # drop_item / extra_item only mean something for a batch response
        if fault is not None and fault.kind in (RESET, TIMEOUT_NOT_APPLIED):
            if fault.kind == TIMEOUT_NOT_APPLIED:
                self.stopping.wait(fault.hold_s)
            self._log(exchange, request, None, fault, started, generation)
            handler.drop_connection(hard=fault.kind == RESET)
            return
        try:
            reply = self._reply(exchange, request, fault)
            body = self._body(reply, fault)
        except Exception:
            # Never a traceback to the client: log it here, answer like the exchange's 500.
            logger.exception("sandbox failed on %s %s", request.method, request.path)
            reply = exchange.internal_error(request)
            body = reply.body()
        if delay:
            # The way back: the answer leaves a whole round trip after the request arrived. The
            # handling happens inside it, as a real exchange's own time is inside its measured
            # round trip; requests handled one after the other here (one GIL) are handled side
            # by side there.
            self.stopping.wait(max(started + delay - time.time(), 0.0))
        if fault is not None and fault.kind == TIMEOUT_APPLIED:
            self.stopping.wait(fault.hold_s)
        # Logged before the bytes leave: whoever has seen the response finds it in the log.
        self._log(exchange, request, reply, fault, started, generation)
        trickle = fault.hold_s if fault is not None and fault.kind == TRICKLE else 0.0
        handler.send(reply.status, reply.headers, body, trickle_s=trickle, stopping=self.stopping)

    def _log(
        self,
        exchange: ExchangeServer,
        request: HttpRequest,
        reply: Reply | None,
        fault: Fault | None,
        started: float,
        generation: int,
    ) -> None:
        self.log.append(
            ServedRequest(
                exchange=exchange.name,
                method=request.method,
                path=request.path,
                account=reply.account if reply else exchange.account_of(request),
                status=reply.status if reply else 0,
                code=reply.code if reply else None,
                items=reply.items if reply else exchange.count_items(request),
                item_codes=reply.item_codes if reply else (),
                started=started,
                finished=time.time(),
                fault=fault.kind if fault else None,
                budget_left=_budget_left(reply),
            ),
            generation,
        )

    def _reply(self, exchange: ExchangeServer, request: HttpRequest, fault: Fault | None) -> Reply:
        if fault is not None and fault.kind == HTTP_502:
            # What a load balancer in front of either exchange sends: no JSON at all.
            page = "<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>"
            return Reply(
                502,
                page,
                {"Content-Type": "text/html"},
                account=exchange.account_of(request),
                items=exchange.count_items(request),
            )
        if fault is not None and fault.kind in CANNED_REPLIES:
            return self._canned(CANNED_REPLIES[fault.kind], exchange, request)
        if fault is not None and fault.kind == OK_WITHOUT_ID:
            reply = self._canned((200, "application/json", ""), exchange, request)
            reply.payload = dict(exchange.empty_success)
            return reply
        if fault is not None and fault.kind == ECHO_HEADERS:
            quoted = "\n".join(f"{name}: {value}" for name, value in request.headers.items())
            return self._canned(
                (502, "text/plain", f"Bad gateway. Your request:\n{quoted}"), exchange, request
            )
        if fault is not None and fault.kind == REDIRECT:
            reply = self._canned((302, "text/html", ""), exchange, request)
            reply.headers["Location"] = exchange.redirect_path
            return reply
        if fault is not None and fault.kind in (HTTP_500, MAINTENANCE, RATE_LIMIT):
            return exchange.fault_reply(fault.kind, request)
        if fault is not None and fault.kind == GARBLED_NOT_APPLIED:
            reply = exchange.fault_reply(RATE_LIMIT, request)
            reply.payload = reply.body().decode()[: max(len(reply.body()) // 2, 1)]
            return reply
        if fault is not None and fault.kind == ACK_NOT_APPLIED:
            return self._acknowledged_only(exchange, request)
        reply = exchange.handle(request)
        if fault is not None and fault.kind in BATCH_ONLY_FAULTS:
            exchange.mangle_batch(fault.kind, reply, self.faults.pick)
        if fault is not None and fault.kind in LOST_REPLIES:
            lost = self._canned(LOST_REPLIES[fault.kind], exchange, request)
            lost.code, lost.item_codes = reply.code, reply.item_codes  # the log records what was applied
            return lost
        return reply

    @staticmethod
    def _canned(canned: tuple[int, str, str], exchange: ExchangeServer, request: HttpRequest) -> Reply:
        status, content_type, text = canned
        return Reply(
            status,
            text,
            {"Content-Type": content_type},
            account=exchange.account_of(request),
            items=exchange.count_items(request),
        )

    @staticmethod
    def _acknowledged_only(exchange: ExchangeServer, request: HttpRequest) -> Reply:
        """Answer as the request deserves, then undo what it did to the order books.

        Only orders this request names are put back, so concurrent requests keep their effect.
        """
        books = exchange.ctx.books.for_exchange(exchange.name)
        # Every word of the request, the query decoded: ids appear as JSON strings (Bybit, Bitget),
        # query values, or inside an encoded JSON list (Binance's ``orderidlist=%5B1%2C2%5D``).
        sent = request.body.decode("utf-8", "replace") + " " + unquote(request.raw_query)
        words = set(_WORD_SPLIT.split(sent))

        def named(order: SandboxOrder) -> bool:
            ids = [i for i in (order.order_id, order.client_order_id) if i]
            return any(i in words or f'"{i}"' in sent or f"={i}" in sent for i in ids)

        before = [[o for o in book.orders() if o.is_open and named(o)] for book in books]
        reply = exchange.handle(request)
        for book, was_open in zip(books, before, strict=True):
            book.restore(was_open)
        return reply

    @staticmethod
    def _body(reply: Reply, fault: Fault | None) -> bytes:
        body = reply.payload.encode() if isinstance(reply.payload, str) else reply.body()
        if fault is not None and fault.kind == MALFORMED_JSON:
            return body.replace(b'"', b"'")  # looks like JSON, does not parse
        if fault is not None and fault.kind == TRUNCATED_JSON:
            return body[: max(len(body) // 2, 1)]
        return body


def _budget_left(reply: Reply | None) -> int | None:
    if reply is None:
        return None
    if reply.budget_left is not None:
        return reply.budget_left
    status = reply.headers.get("X-Bapi-Limit-Status")  # Bybit reports it on every answer
    return int(status) if status and status.isdigit() else None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: ccxt and pybit reuse connections
    disable_nagle_algorithm = True
    server: SandboxHTTPServer

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        path, _, raw_query = self.path.partition("?")
        request = HttpRequest(
            method=self.command,
            path=path,
            raw_query=raw_query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        self.server.router.serve(request, self)

    do_POST = do_DELETE = do_PUT = do_GET

    def send(
        self,
        status: int,
        headers: dict[str, str],
        body: bytes,
        *,
        trickle_s: float = 0.0,
        stopping: threading.Event | None = None,
    ) -> None:
        """Write the answer; with ``trickle_s``, the body one byte at a time (a read timeout never fires)."""
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:  # Cloudflare's 52x are not in the standard table
            phrase = "Origin Error"
        lines = [f"HTTP/1.1 {status} {phrase}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            if not trickle_s:
                self.wfile.write(head + body)
                return
            self.wfile.write(head)
            for index in range(len(body)):
                if stopping is not None and stopping.wait(trickle_s):
                    self.close_connection = True  # shutting down: the answer stays incomplete
                    break
                self.wfile.write(body[index : index + 1])
                self.wfile.flush()
        except OSError:  # the client gave up (e.g. after its timeout): nothing left to tell it
            self.close_connection = True

    def drop_connection(self, *, hard: bool) -> None:
        self.close_connection = True
        try:
            if hard:  # SO_LINGER 0: the final close sends RST instead of FIN
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
            self.connection.close()
        except OSError:
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass  # the RequestLog is the record; stderr stays quiet


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, host: str, port: int, router: Router) -> None:
        self.router = router
        host = check_loopback(host)
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that vanished mid-request is normal here (faults, timeouts); don't spam stderr.
        logger.debug("connection from %s ended abruptly", client_address, exc_info=True)
