// The C API's write batch: a sand::WriteBatch behind an opaque handle, with
// its operations and preconditions.
#include "capi/c_internal.hpp"

using sand::capi::check_bytes;
using sand::capi::guard;

extern "C" {

sand_write_batch_t* sand_write_batch_create(void) {
  return sand::capi::make_or_null([] { return new sand_write_batch(); });
}

void sand_write_batch_destroy(sand_write_batch_t* batch) { delete batch; }

sand_code_t sand_write_batch_put(sand_write_batch_t* batch, const char* key, size_t keylen,
                                 const char* value, size_t valuelen, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(batch, "sand_write_batch_put");
    SAND_RETURN_IF_ERROR(check_bytes("sand_write_batch_put", "key", key, keylen));
    SAND_RETURN_IF_ERROR(check_bytes("sand_write_batch_put", "value", value, valuelen));
    try {
      batch->batch.put(sand::capi::bytes(key, keylen), sand::capi::bytes(value, valuelen));
    } catch (...) {
      // WriteBatch counts an operation before appending its bytes, so an
      // allocation failing midway leaves a batch that must not be written.
      batch->damaged = true;
      throw;
    }
    return sand::Status::ok();
  });
}

sand_code_t sand_write_batch_del(sand_write_batch_t* batch, const char* key, size_t keylen,
                                 char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(batch, "sand_write_batch_del");
    SAND_RETURN_IF_ERROR(check_bytes("sand_write_batch_del", "key", key, keylen));
    try {
      batch->batch.del(sand::capi::bytes(key, keylen));
    } catch (...) {
      batch->damaged = true;  // as in sand_write_batch_put
      throw;
    }
    return sand::Status::ok();
  });
}

void sand_write_batch_clear(sand_write_batch_t* batch) {
  if (batch == nullptr) return;
  batch->batch.clear();
  batch->damaged = false;
}

uint32_t sand_write_batch_count(const sand_write_batch_t* batch) {
  return batch != nullptr ? batch->batch.count() : 0;
}

// WriteBatch copies the key before it appends the precondition (a vector
// push_back, all or nothing): a failure leaves the batch as it was.
sand_code_t sand_write_batch_expect_version(sand_write_batch_t* batch, const char* key,
                                            size_t keylen, uint64_t version, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(batch, "sand_write_batch_expect_version");
    SAND_RETURN_IF_ERROR(check_bytes("sand_write_batch_expect_version", "key", key, keylen));
    batch->batch.expect_version(sand::capi::bytes(key, keylen), version);
    return sand::Status::ok();
  });
}

sand_code_t sand_write_batch_expect_missing(sand_write_batch_t* batch, const char* key,
                                            size_t keylen, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(batch, "sand_write_batch_expect_missing");
    SAND_RETURN_IF_ERROR(check_bytes("sand_write_batch_expect_missing", "key", key, keylen));
    batch->batch.expect_missing(sand::capi::bytes(key, keylen));
    return sand::Status::ok();
  });
}

sand_code_t sand_write_batch_expect_exists(sand_write_batch_t* batch, const char* key,
                                           size_t keylen, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(batch, "sand_write_batch_expect_exists");
    SAND_RETURN_IF_ERROR(check_bytes("sand_write_batch_expect_exists", "key", key, keylen));
    batch->batch.expect_exists(sand::capi::bytes(key, keylen));
    return sand::Status::ok();
  });
}

size_t sand_write_batch_precondition_count(const sand_write_batch_t* batch) {
  return batch != nullptr ? batch->batch.precondition_count() : 0;
}

}  // extern "C"
