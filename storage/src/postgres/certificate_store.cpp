#include "postgres/certificate_store.hpp"
#include "common/certificate_store_impl.hpp"

template class storage::common::CertificateStoreT<storage::pg::Dialect>;
