// File: http_types.h
// The request and response as the protocol layer sees them, independent of
// the HTTP library: the router and the protocol handlers take and return
// these, so they are tested without sockets and the server is the only file
// that knows Beast.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kgate::serve {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent
  std::string body;
  // The KServe binary extension's Inference-Header-Content-Length, verbatim.
  std::optional<std::string> inference_header_length;
  // The peer's IP address, for the audit log ("" when not from a socket).
  std::string client{};
  // Set when the body arrived with a Content-Encoding (gzip); `body` holds
  // it decoded. The audit log wants the SHA-256 of the bytes as sent, but
  // only for refused or flagged requests, so the server keeps the bytes and
  // the digest is taken when a line is written (`sha256` set means known).
  struct Encoded {
    uint64_t bytes = 0;
    std::string sha256;  // lowercase hex, or "" until needed
    std::string sent;
  };
  std::optional<Encoded> encoded{};
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Output rules ("output:rule") that flagged this reply; never sent. The
  // router writes one audit line for a reply with any.
  std::vector<std::string> flagged_rules;
};

// A 200 reply with a JSON body.
inline HttpResponse JsonResponse(std::string body) {
  HttpResponse r;
  r.body = std::move(body);
  return r;
}

}  // namespace kgate::serve
