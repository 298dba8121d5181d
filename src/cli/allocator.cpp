// Settings of jemalloc, the drvsec executable's allocator (linked in by CMakeLists.txt; sanitizer and
// fuzz builds keep their own). jemalloc reads this global when it starts, before the first allocation.
//
// thp:always asks for transparent huge pages (2 MiB) on the memory it maps, for data and metadata: a
// scan keeps every file's results, and faulting that memory in 4 KiB at a time cost about a fifth of
// a header-level scan (measured with bench/corpus_bench.sh; more under virtualization, where page
// faults are dearer). Where the system disables transparent huge pages, the setting has no effect.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "thp:always,metadata_thp:always";
}
