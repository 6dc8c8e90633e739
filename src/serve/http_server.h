// File: http_server.h
// The HTTP/1.1 front of `kgate serve` on Boost.Beast/Asio: one io_context
// run by a fixed pool of worker threads, asynchronous reads and writes so an
// idle or slow connection holds no thread, keep-alive, caps on header and
// body size checked before the body is read (431/413), a read timeout on
// each header and body read so a slow client is cut off, and a graceful stop
// on SIGTERM/SIGINT: the listener closes, idle connections are closed,
// requests in flight finish and get their reply (with Connection: close),
// then Run returns. Bodies sent with Content-Encoding: gzip are decoded under
// the body cap and a ratio cap (content_encoding.h). Only this file knows
// Beast; requests go to the Router, and so do the refusals decided here, so
// they are counted and audited like the rest.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "serve/router.h"

namespace kgate::serve {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8501;                        // 0 picks a free port
  int threads = 4;                             // workers; each runs one request at a time
  uint64_t max_body_bytes = uint64_t{64} << 20;
  uint32_t max_header_bytes = 16 << 10;
  uint32_t gzip_max_ratio = 100;               // decoded bytes per gzip byte (content_encoding.h)
  absl::Duration read_timeout = absl::Seconds(30);   // per header read (includes keep-alive idle) and per body read
  absl::Duration write_timeout = absl::Seconds(30);
  absl::Duration drain_timeout = absl::Seconds(30);  // how long a stop waits for requests in flight
};

// Binds, calls `on_listening(address)` ("127.0.0.1:8501") once accepting,
// and serves until SIGTERM or SIGINT. Returns an error if it cannot bind.
absl::Status RunHttpServer(const Router& router, const HttpServerOptions& options,
                           const std::function<void(const std::string&)>& on_listening);

}  // namespace kgate::serve
