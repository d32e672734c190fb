#include "transport/io_pool.hpp"

#include <algorithm>
#include <exception>
#include <string>

#include <pthread.h>

#include "csms/log.hpp"

namespace csms::transport {

IoPool::IoPool(std::size_t threads) {
  for (std::size_t i = 0; i < threads; ++i)
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
}

IoPool::~IoPool() {
  stop();
}

void IoPool::start() {
  if (started_) return;
  started_ = true;
  for (auto& ctx : contexts_) {
    guards_.emplace_back(ctx->get_executor());
    threads_.emplace_back([io = ctx.get(), name = "io-" + std::to_string(threads_.size())] {
      // Named for top -H and the bench's CPU per thread.
      pthread_setname_np(pthread_self(), name.c_str());
      // A handler that throws is a bug: log it and keep the other connections served.
      for (;;) {
        try {
          io->run();
          return;
        } catch (const std::exception& e) {
          log::error("I/O thread: unexpected exception: {}", e.what());
        }
      }
    });
  }
}

void IoPool::stop() {
  guards_.clear();
  for (auto& ctx : contexts_) ctx->stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

boost::asio::io_context* IoPool::next() {
  if (contexts_.empty()) return nullptr;
  auto* io = contexts_[next_].get();
  next_ = (next_ + 1) % contexts_.size();
  return io;
}

std::size_t default_io_threads() {
  const unsigned cores = std::thread::hardware_concurrency();
  return std::clamp<std::size_t>(cores == 0 ? 1 : cores, 1, 8);
}

}  // namespace csms::transport
