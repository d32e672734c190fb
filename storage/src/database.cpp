#include "storage/database.hpp"

#include <future>

namespace storage {

namespace {

template <class Submit>
void submit_and_wait(Submit submit) {
  auto finished = std::make_shared<std::promise<void>>();
  auto future = finished->get_future();
  submit([finished](std::exception_ptr e) {
    if (e)
      finished->set_exception(e);
    else
      finished->set_value();
  });
  future.get();
}

}  // namespace

void write_and_wait(Database& db, std::function<void(Session&)> work) {
  submit_and_wait([&](Done done) { db.write(std::move(work), std::move(done)); });
}

void read_and_wait(Database& db, std::function<void(Session&)> work) {
  submit_and_wait([&](Done done) { db.read(std::move(work), std::move(done)); });
}

}  // namespace storage
