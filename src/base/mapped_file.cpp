#include "base/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace drvsec {

namespace {
// The spare read buffer of this thread (empty while a MappedFile of the thread holds it).
thread_local std::unique_ptr<uint8_t[]> spare_bytes;
thread_local size_t spare_capacity = 0;
}  // namespace

MappedFile::MappedFile(const std::string& path, uint64_t max_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot open: {}", std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    throw std::runtime_error(fmt::format("cannot stat: {}", std::strerror(e)));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw std::runtime_error("not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > max_size) {
    ::close(fd);
    throw std::runtime_error(
        fmt::format("file is {} bytes, above the limit of {} bytes (--max-file-size)", st.st_size, max_size));
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0 && size_ <= kReadLimit) {
    if (spare_bytes && spare_capacity >= size_) {
      buffer_.bytes = std::move(spare_bytes);
      buffer_.capacity = spare_capacity;
      spare_capacity = 0;
    } else {
      buffer_.capacity = std::max<size_t>(size_, 1u << 20);
      buffer_.bytes.reset(new uint8_t[buffer_.capacity]);  // no zero-fill: the bytes used are read below
    }
    size_t done = 0;
    while (done < size_) {
      const ssize_t n = ::read(fd, buffer_.bytes.get() + done, size_ - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int e = n < 0 ? errno : 0;
        ::close(fd);
        throw std::runtime_error(e ? fmt::format("cannot read: {}", std::strerror(e))
                                   : fmt::format("file shrank while being read ({} of {} bytes)", done, size_));
      }
      done += static_cast<size_t>(n);
    }
    data_ = buffer_.bytes.get();
  } else if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int e = errno;
      ::close(fd);
      throw std::runtime_error(fmt::format("cannot map: {}", std::strerror(e)));
    }
    data_ = static_cast<const uint8_t*>(p);
    mapped_ = true;
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (mapped_) ::munmap(const_cast<uint8_t*>(data_), size_);
  if (buffer_.bytes && buffer_.capacity > spare_capacity) {
    spare_bytes = std::move(buffer_.bytes);
    spare_capacity = buffer_.capacity;
  }
}

}  // namespace drvsec
