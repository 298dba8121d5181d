#include "core/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace drvsec {

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
    buffer_.reset(new uint8_t[size_]);  // no zero-fill: every byte is read below
    size_t done = 0;
    while (done < size_) {
      const ssize_t n = ::read(fd, buffer_.get() + done, size_ - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int e = n < 0 ? errno : 0;
        ::close(fd);
        throw std::runtime_error(e ? fmt::format("cannot read: {}", std::strerror(e))
                                   : fmt::format("file shrank while being read ({} of {} bytes)", done, size_));
      }
      done += static_cast<size_t>(n);
    }
    data_ = buffer_.get();
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
}

}  // namespace drvsec
