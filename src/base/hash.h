// Hash helpers over OpenSSL's EVP interface.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace drvsec {

std::string sha256_hex(std::span<const uint8_t> data);
std::string sha256_hex(std::string_view text);
std::string to_hex(std::span<const uint8_t> data);

}  // namespace drvsec
