// File: status_macros.h
// Early-return helpers for absl::Status and absl::StatusOr. The Debian abseil
// (20220623) predates ABSL_RETURN_IF_ERROR, so kgate carries its own two.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define KGATE_STATUS_CONCAT_INNER_(a, b) a##b
#define KGATE_STATUS_CONCAT_(a, b) KGATE_STATUS_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function when `expr` is not OK.
#define KGATE_RETURN_IF_ERROR(expr)                       \
  do {                                                    \
    ::absl::Status kgate_status_ = (expr);                \
    if (!kgate_status_.ok()) return kgate_status_;        \
  } while (false)

// `KGATE_ASSIGN_OR_RETURN(auto x, Foo());` declares/assigns `x` from a
// StatusOr or returns its error status. It expands to several statements, so
// it cannot be the unbraced body of an if/for: use braces.
#define KGATE_ASSIGN_OR_RETURN(lhs, expr) \
  KGATE_ASSIGN_OR_RETURN_IMPL_(KGATE_STATUS_CONCAT_(kgate_statusor_, __LINE__), lhs, expr)

#define KGATE_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()
