#include "sqlite/certificate_store.hpp"
#include "common/certificate_store_impl.hpp"

template class storage::common::CertificateStoreT<storage::sqlite::Dialect>;
