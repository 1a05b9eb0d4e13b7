// async_io: runs one Boost.Asio operation as a coroutine step of our runtime.
//
// `start(complete)` starts the operation, arranging for complete(ec) to be called by its
// handler. If the waiting coroutine is cancelled, `abort()` closes the socket, and we still
// wait for the handler: the operation may hold our buffers.
#pragma once

#include <boost/system/error_code.hpp>
#include <functional>

#include "node/runtime/oneshot.h"
#include "node/runtime/task.h"

namespace garage {

template <class Start>
Task<boost::system::error_code> async_io(Start start, std::function<void()> abort) {
  using ErrorCode = boost::system::error_code;
  Oneshot<ErrorCode> done;
  start([done](ErrorCode ec) mutable { done.set(ec); });
  std::optional<ErrorCode> ec = co_await done.wait();
  if (!ec.has_value()) {
    abort();
    ec = co_await done.wait_uncancellable();
  }
  co_return *ec;
}

}  // namespace garage
