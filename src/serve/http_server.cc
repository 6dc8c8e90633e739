#include "serve/http_server.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "serve/content_encoding.h"
#include "util/strings.h"

namespace kgate::serve {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::chrono::steady_clock::duration ToChrono(absl::Duration d) { return absl::ToChronoNanoseconds(d); }

class Session;

// What every connection shares: the router, limits, the stop flag and the
// live sessions (weakly held) so a stop can close the idle ones.
struct ServerState {
  ServerState(const Router& r, const HttpServerOptions& o) : router(r), options(o) {}
  const Router& router;
  const HttpServerOptions& options;
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::vector<std::weak_ptr<Session>> sessions;
  std::atomic<int> live{0};
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerState& state) : stream_(std::move(socket)), state_(state) { ++state_.live; }
  ~Session() { --state_.live; }

  void Start() {
    beast::error_code ec;
    const tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) client_ = peer.address().to_string();
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // Called on stop: an idle connection (waiting for a request) is closed; a
  // busy one finishes its request and closes after the reply.
  void StopIfIdle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->Close();
    });
  }

 private:
  void ReadHeader() {
    if (state_.stopping) return Close();
    busy_ = false;
    parser_.emplace();
    parser_->header_limit(state_.options.max_header_bytes);
    parser_->body_limit(state_.options.max_body_bytes);
    stream_.expires_after(ToChrono(state_.options.read_timeout));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      return Close();
    }
    busy_ = true;
    if (ec == http::error::header_limit) {
      return SendError(431, "headers_too_large",
                       util::StrCat("request headers exceed the ", state_.options.max_header_bytes, "-byte limit"));
    }
    if (ec == http::error::body_limit) return SendBodyTooLarge();
    if (ec) return SendError(400, "malformed_http", util::StrCat("malformed HTTP request: ", ec.message()));
    const auto& req = parser_->get();
    if (parser_->content_length() && *parser_->content_length() > state_.options.max_body_bytes) {
      return SendBodyTooLarge();
    }
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      return http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code ec2, size_t) {
        if (ec2) return self->Close();
        self->ReadBody();
      });
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(ToChrono(state_.options.read_timeout));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnBody(beast::error_code ec) {
    if (ec == http::error::body_limit) return SendBodyTooLarge();
    if (ec) return Close();  // a timed-out stream is already closed: nothing can be sent
    stream_.expires_never();
    http::request<http::string_body> req = parser_->release();
    HttpRequest request = RequestHead(req);
    const beast::string_view encoding_header = req[http::field::content_encoding];
    const std::string_view encoding(encoding_header.data(), encoding_header.size());
    if (!IsIdentityEncoding(encoding)) {
      absl::StatusOr<std::string> decoded =
          DecodeBody(encoding, req.body(), {state_.options.max_body_bytes, state_.options.gzip_max_ratio});
      request.encoded = HttpRequest::Encoded{req.body().size(), "", std::move(req.body())};
      if (!decoded.ok()) {
        const absl::StatusCode code = decoded.status().code();
        const int status = code == absl::StatusCode::kUnimplemented        ? 415
                           : code == absl::StatusCode::kResourceExhausted ? 413
                                                                           : 400;
        const char* rule = status == 415 ? "unsupported_content_encoding"
                           : status == 413 ? "gzip_too_large"
                                           : "malformed_gzip";
        return Send(state_.router.Refuse(request, status, absl::InvalidArgumentError(decoded.status().message()), rule),
                    false);
      }
      request.body = *std::move(decoded);
    } else {
      request.body = std::move(req.body());
    }
    const HttpResponse response = state_.router.Handle(request);
    Send(response, req.keep_alive() && !state_.stopping);
  }

  // Method, target, client and the headers the protocols read; no body.
  HttpRequest RequestHead(const http::request<http::string_body>& req) const {
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.client = client_;
    auto it = req.find("Inference-Header-Content-Length");
    if (it != req.end()) request.inference_header_length = std::string(it->value());
    return request;
  }

  void SendBodyTooLarge() {
    SendError(413, "body_too_large",
              util::StrCat("request body exceeds the ", state_.options.max_body_bytes, "-byte limit"));
  }

  // After a transport-level error the rest of the stream cannot be trusted,
  // so the connection closes after the reply.
  // The request line is known when the header was parsed (a body that is
  // too large), and not otherwise.
  void SendError(int status, const char* rule, const std::string& message) {
    HttpRequest request;
    if (parser_ && parser_->is_header_done()) request = RequestHead(parser_->get());
    request.client = client_;
    Send(state_.router.Refuse(request, status, absl::InvalidArgumentError(message), rule), false);
  }

  void Send(const HttpResponse& response, bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(response.status));
    res->set(http::field::server, "kgate");
    res->set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) res->set(name, value);
    res->body() = response.body;
    res->keep_alive(keep_alive);
    res->prepare_payload();
    stream_.expires_after(ToChrono(state_.options.write_timeout));
    http::async_write(stream_, *res, [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
      if (ec || !keep_alive) return self->Close();
      self->ReadHeader();
    });
  }

  void Close() {
    busy_ = false;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  ServerState& state_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string client_;  // the peer's IP address
  bool busy_ = false;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, tcp::acceptor acceptor, ServerState& state)
      : ioc_(ioc), acceptor_(std::move(acceptor)), state_(state), retry_(ioc) {}

  void Accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || self->state_.stopping) return;  // closed by Stop
      if (ec) {
        // Out of file descriptors and the like: keep listening, after a pause
        // so a persistent error does not spin.
        self->retry_.expires_after(std::chrono::milliseconds(100));
        self->retry_.async_wait([self](beast::error_code) { self->Accept(); });
        return;
      }
      auto session = std::make_shared<Session>(std::move(s), self->state_);
      {
        std::lock_guard<std::mutex> lock(self->state_.mu);
        std::erase_if(self->state_.sessions, [](const std::weak_ptr<Session>& w) { return w.expired(); });
        self->state_.sessions.push_back(session);
      }
      session->Start();
      self->Accept();
    });
  }

  void Stop() {
    state_.stopping = true;
    beast::error_code ignored;
    acceptor_.close(ignored);
    retry_.cancel();
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard<std::mutex> lock(state_.mu);
      for (const std::weak_ptr<Session>& w : state_.sessions) {
        if (std::shared_ptr<Session> s = w.lock()) live.push_back(std::move(s));
      }
    }
    for (const std::shared_ptr<Session>& s : live) s->StopIfIdle();
  }

 private:
  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  ServerState& state_;
  asio::steady_timer retry_;
};

}  // namespace

absl::Status RunHttpServer(const Router& router, const HttpServerOptions& options,
                           const std::function<void(const std::string&)>& on_listening) {
  const int threads = options.threads < 1 ? 1 : options.threads;
  asio::io_context ioc(threads);
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.host, ec);
  if (ec) return absl::InvalidArgumentError(util::StrCat("--host '", options.host, "' is not an IP address"));
  tcp::acceptor acceptor(ioc);
  const tcp::endpoint endpoint(address, options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(util::StrCat("cannot listen on ", options.host, ":", options.port, ": ",
                                               ec.message()));
  }
  const tcp::endpoint bound = acceptor.local_endpoint(ec);
  ServerState state(router, options);
  auto listener = std::make_shared<Listener>(ioc, std::move(acceptor), state);

  // On a stop, a timer on the io_context checks every 50 ms whether the
  // connections have drained; past drain_timeout it ends the run anyway.
  asio::steady_timer drain_timer(ioc);
  const auto drain_deadline = std::make_shared<std::chrono::steady_clock::time_point>();
  std::function<void()> check_drained = [&] {
    if (state.live == 0) return;
    if (std::chrono::steady_clock::now() >= *drain_deadline) return ioc.stop();
    drain_timer.expires_after(std::chrono::milliseconds(50));
    drain_timer.async_wait([&](beast::error_code timer_ec) {
      if (!timer_ec) check_drained();
    });
  };
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code wait_ec, int) {
    if (wait_ec) return;
    listener->Stop();
    *drain_deadline = std::chrono::steady_clock::now() + ToChrono(options.drain_timeout);
    check_drained();
  });
  listener->Accept();
  const std::string where = bound.address().is_v6() ? util::StrCat("[", bound.address().to_string(), "]:", bound.port())
                                                    : util::StrCat(bound.address().to_string(), ":", bound.port());
  on_listening(where);

  std::vector<std::thread> workers;
  for (int i = 1; i < threads; ++i) workers.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (std::thread& t : workers) t.join();
  return absl::OkStatus();
}

}  // namespace kgate::serve
