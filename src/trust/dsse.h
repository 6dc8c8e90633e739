// File: dsse.h
// DSSE (Dead Simple Signing Envelope, v1) pre-authentication encoding: the
// exact bytes a signature covers. Binding the payload type and both lengths
// into the signed bytes is what stops a signed in-toto statement from being
// replayed as some other kind of document.
#pragma once

#include <string>
#include <string_view>

namespace kgate::trust {

// The payload type of an in-toto statement inside a DSSE envelope.
inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";

// "DSSEv1 <len(type)> <type> <len(payload)> <payload>", lengths in decimal.
std::string Pae(std::string_view payload_type, std::string_view payload);

// The encoding model-signing 0.2 signed by mistake, still accepted by its
// verifier: "DSSEV1 <len(type)> <type> <len(payload)> " followed by Python's
// repr() of the payload bytes (b'...'). Used only to verify, never to sign.
std::string PaeCompat(std::string_view payload_type, std::string_view payload);

}  // namespace kgate::trust
