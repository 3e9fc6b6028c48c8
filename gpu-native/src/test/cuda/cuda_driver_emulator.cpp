// A CPU emulation of the part of the CUDA driver API that io.quantsweep.gpu uses, built as libcuda.so.1,
// so that the whole Java launcher (probe, context, PTX load, kernel table, lanes, streams, pinned and
// device buffers, argument packing, errors) runs and is checked on machines without a GPU. The kernels
// are convert.cu itself compiled for the CPU: the same source as the PTX and the host parity harness.
//
// It is strict where the real driver is, so that what passes here has a chance on a GPU:
// - every call but cuInit/cuDriverGetVersion/cuGetErrorName needs cuInit first, and calls that work in a
//   context need one current on the calling thread (CUDA_ERROR_NOT_INITIALIZED / INVALID_CONTEXT);
// - streams run their work asynchronously, in order, on a thread each: reusing a buffer before
//   cuStreamSynchronize races as on a GPU;
// - kernel arguments are copied at launch (the driver's contract);
// - a copy that leaves its device allocation is refused (CUDA_ERROR_INVALID_VALUE); a kernel whose
//   arguments reach outside their allocations (each kernel's own extents) fails with
//   CUDA_ERROR_ILLEGAL_ADDRESS, sticky, as does one whose grid misses blocks (stricter than a GPU, where
//   that would leave bytes unwritten);
// - cuModuleLoadData takes the PTX text; cuModuleGetFunction finds only the .entry names it declares, and
//   only where their parameters have the sizes this emulator reads from kernelParams.
// - a CUdevice from cuDeviceGet is not its ordinal (as the API allows, though real drivers make them
//   equal), so passing an ordinal where a handle belongs fails with CUDA_ERROR_INVALID_DEVICE;
// - QUANTSWEEP_CUDA_EMULATOR_DEVICES=N (1 to 8, default 1) makes N devices, each with its own primary
//   context, memory, streams, modules and sticky error; a stream, function or allocation of one
//   device used from another device's context fails (INVALID_HANDLE, INVALID_VALUE, ILLEGAL_ADDRESS).
// - QUANTSWEEP_CUDA_EMULATOR_LOG=FILE appends "pid P device D KERNEL" for every launch it accepts, so a
//   test can see which process ran its kernels on which device.
// Fault injection: QUANTSWEEP_CUDA_EMULATOR_REFUSE=KERNEL:COLUMNS makes cuLaunchKernel of KERNEL over
// rows of COLUMNS values return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, a synchronous, non-sticky error.
// QUANTSWEEP_CUDA_EMULATOR_FAULT=KERNEL:COLUMNS makes such a launch fault as it runs, as a kernel that
// reads a wild address on a GPU: CUDA_ERROR_ILLEGAL_ADDRESS at the next synchronization, sticky.
// QUANTSWEEP_CUDA_EMULATOR_FULL=D fills device D's memory, as another process can: every cuMemAlloc in
// its context returns CUDA_ERROR_OUT_OF_MEMORY. QUANTSWEEP_CUDA_EMULATOR_JIT_ERROR=D makes device D's JIT
// refuse the PTX, as a driver too old for its ISA does: CUDA_ERROR_INVALID_PTX, with a line in the error
// log buffer cuModuleLoadDataEx is given. cuDevicePrimaryCtxGetState shows whether a context
// is still retained, so a test can see that a failed load gave its context back, and the scheduling
// flags cuDevicePrimaryCtxSetFlags chose.
//
// Built by gpu-native/cuda-emulator.sh (also during mvn verify where g++ exists), with a stand-in
// libcudart.so.13: the JavaCPP binding links against it, and nothing here calls it.
#include <cstdarg>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

// convert.cu for the CPU: kernels are plain functions, and a launch sets the thread's indices.
struct EmulatedDim3 {
    unsigned x = 0, y = 0, z = 0;
};
static thread_local EmulatedDim3 blockIdx, blockDim, threadIdx;
#define __global__
#define __device__
#include "convert.cu"

#define API extern "C" __attribute__((visibility("default")))

namespace {

using CUresult = int;
constexpr CUresult SUCCESS = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, NOT_INITIALIZED = 3,
                   INVALID_DEVICE = 101, INVALID_IMAGE = 200, INVALID_CONTEXT = 201, INVALID_PTX = 218,
                   INVALID_HANDLE = 400, NOT_FOUND = 500, ILLEGAL_ADDRESS = 700, LAUNCH_OUT_OF_RESOURCES = 701;
// CUjit_option: the error log buffer and its size (in: the capacity; out: the bytes written)
constexpr int JIT_ERROR_LOG_BUFFER = 5, JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;

const char* errorName(CUresult r) {
    switch (r) {
        case SUCCESS: return "CUDA_SUCCESS";
        case INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
        case OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
        case NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
        case INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
        case INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
        case INVALID_CONTEXT: return "CUDA_ERROR_INVALID_CONTEXT";
        case INVALID_PTX: return "CUDA_ERROR_INVALID_PTX";
        case INVALID_HANDLE: return "CUDA_ERROR_INVALID_HANDLE";
        case NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
        case ILLEGAL_ADDRESS: return "CUDA_ERROR_ILLEGAL_ADDRESS";
        case LAUNCH_OUT_OF_RESOURCES: return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
        default: return nullptr;
    }
}

// "An 80 GiB card": larger requests fail as on an H100, without touching host memory.
constexpr unsigned long long DEVICE_MEMORY = 80ULL << 30;
constexpr int DRIVER_VERSION = 13000;

constexpr int MAX_DEVICES = 8;

// How many devices to show (QUANTSWEEP_CUDA_EMULATOR_DEVICES), read once.
int deviceCount() {
    static const int n = [] {
        const char* v = getenv("QUANTSWEEP_CUDA_EMULATOR_DEVICES");
        int k = v != nullptr ? atoi(v) : 1;
        return k < 1 ? 1 : k > MAX_DEVICES ? MAX_DEVICES : k;
    }();
    return n;
}

// The device whose memory is full (QUANTSWEEP_CUDA_EMULATOR_FULL), -1 for none, read once.
int fullDevice() {
    static const int d = [] {
        const char* v = getenv("QUANTSWEEP_CUDA_EMULATOR_FULL");
        return v != nullptr ? atoi(v) : -1;
    }();
    return d;
}

// The device whose JIT refuses the PTX (QUANTSWEEP_CUDA_EMULATOR_JIT_ERROR), -1 for none, read once.
int jitErrorDevice() {
    static const int d = [] {
        const char* v = getenv("QUANTSWEEP_CUDA_EMULATOR_JIT_ERROR");
        return v != nullptr ? atoi(v) : -1;
    }();
    return d;
}

struct DeviceMemory {
    size_t bytes;
    int device;
};

std::mutex mutex;  // guards everything below except the streams' own queues
bool initialized = false;
// Per device, like a real context after an illegal address: every later call in it fails.
CUresult stickyError[MAX_DEVICES] = {};
unsigned long long allocatedBytes[MAX_DEVICES] = {};
std::map<uintptr_t, DeviceMemory> deviceAllocations;  // base -> bytes, owner
std::map<uintptr_t, size_t> hostAllocations;

int primaryContexts[MAX_DEVICES];  // the address of element d is device d's context handle
int primaryRetains[MAX_DEVICES] = {};
unsigned primaryFlags[MAX_DEVICES] = {};
thread_local int currentDevice = -1;  // the device of the current context, -1 for none

// A CUdevice is a handle that cuDeviceGet gives for an ordinal. Real drivers make it equal to the ordinal;
// here it is not, so a caller that passes ordinals where the API takes handles fails.
constexpr int DEVICE_HANDLE_BASE = 0x100;

// The ordinal of CUdevice handle `device`, or -1 for none.
int ordinalOf(int device) {
    int ordinal = device - DEVICE_HANDLE_BASE;
    return ordinal >= 0 && ordinal < deviceCount() ? ordinal : -1;
}

void complain(const char* format, ...) {
    va_list args;
    va_start(args, format);
    fprintf(stderr, "[cuda emulator] ");
    vfprintf(stderr, format, args);
    fprintf(stderr, "\n");
    va_end(args);
}

// SUCCESS, or why a call that works in the current context cannot run now.
CUresult ready() {
    std::lock_guard<std::mutex> lock(mutex);
    if (!initialized) return NOT_INITIALIZED;
    if (currentDevice < 0) return INVALID_CONTEXT;
    return stickyError[currentDevice];
}

// Whether [p, p + bytes) lies inside one allocation of device's memory.
bool onDevice(uintptr_t p, size_t bytes, int device) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = deviceAllocations.upper_bound(p);
    if (it == deviceAllocations.begin()) return false;
    --it;
    return p >= it->first && p + bytes <= it->first + it->second.bytes && it->second.device == device;
}

// ---- Kernels -------------------------------------------------------------------------------------------

struct Launch {
    int device;
    unsigned grid, block;
    std::vector<unsigned long long> args;  // each argument's bytes, zero-extended
};

struct KernelDef {
    std::vector<size_t> argSizes;
    // Checks the arguments' extents (a message when an access would leave its allocation) and runs.
    std::function<std::string(const Launch&)> run;
    // The row length of a quantize launch, for fault injection (0 for others).
    std::function<long long(const Launch&)> columns;
};

template <typename F>
void forEachThread(const Launch& l, F body) {
    blockDim.x = l.block;
    for (unsigned b = 0; b < l.grid; b++) {
        blockIdx.x = b;
        for (unsigned t = 0; t < l.block; t++) {
            threadIdx.x = t;
            body();
        }
    }
}

std::string extent(const Launch& l, const char* what, unsigned long long p, unsigned long long bytes) {
    if (onDevice(p, bytes, l.device)) return "";
    char s[160];
    snprintf(s, sizeof s, "%s: %llu bytes at 0x%llx are not inside one allocation of device %d", what, bytes, p,
             l.device);
    return s;
}

template <typename Codec>
KernelDef quantizeKernel(void (*kernel)(const float*, const float*, const float*, uint8_t*, long long, int)) {
    using Block = typename Codec::Block;
    auto run = [kernel](const Launch& l) -> std::string {
        auto x = l.args[0], importance = l.args[1], rowSumSq = l.args[2], y = l.args[3];
        auto nBlocks = (long long) l.args[4];
        int blocksPerRow = (int) l.args[5];
        if (blocksPerRow <= 0 || nBlocks % blocksPerRow != 0) return "blocks are not whole rows";
        if ((unsigned long long) l.grid * l.block < (unsigned long long) nBlocks) return "the grid misses blocks";
        long long rows = nBlocks / blocksPerRow;
        std::string bad = extent(l, "x", x, nBlocks * Codec::QK * sizeof(float));
        if (bad.empty()) bad = extent(l, "y", y, nBlocks * sizeof(Block));
        if (bad.empty() && importance != 0) bad = extent(l, "importance", importance, blocksPerRow * Codec::QK * sizeof(float));
        if (bad.empty() && importance != 0 && Codec::ROW_SIGMA) bad = extent(l, "rowSumSq", rowSumSq, rows * sizeof(float));
        if (!bad.empty()) return bad;
        forEachThread(l, [&] {
            kernel((const float*) x, (const float*) importance, (const float*) rowSumSq, (uint8_t*) y, nBlocks, blocksPerRow);
        });
        return "";
    };
    auto columns = [](const Launch& l) { return (long long) (int) l.args[5] * Codec::QK; };
    return {{8, 8, 8, 8, 8, 4}, run, columns};
}

const std::map<std::string, KernelDef>& kernels() {
    static const std::map<std::string, KernelDef> table = {
        {"quantize_q4_0", quantizeKernel<Q4_0Codec>(quantize_q4_0)},
        {"quantize_q4_1", quantizeKernel<Q4_1Codec>(quantize_q4_1)},
        {"quantize_q5_0", quantizeKernel<Q5_0Codec>(quantize_q5_0)},
        {"quantize_q5_1", quantizeKernel<Q5_1Codec>(quantize_q5_1)},
        {"quantize_q8_0", quantizeKernel<Q8_0Codec>(quantize_q8_0)},
        {"quantize_q2_K", quantizeKernel<Q2_KCodec>(quantize_q2_K)},
        {"quantize_q3_K", quantizeKernel<Q3_KCodec>(quantize_q3_K)},
        {"quantize_q4_K", quantizeKernel<Q4_KCodec>(quantize_q4_K)},
        {"quantize_q5_K", quantizeKernel<Q5_KCodec>(quantize_q5_K)},
        {"quantize_q6_K", quantizeKernel<Q6_KCodec>(quantize_q6_K)},
        {"quantize_iq4_nl", quantizeKernel<IQ4_NLCodec>(quantize_iq4_nl)},
        {"quantize_iq4_xs", quantizeKernel<IQ4_XSCodec>(quantize_iq4_xs)},
        {"row_sum_squares",
         {{8, 8, 4, 4},
          [](const Launch& l) -> std::string {
              int rows = (int) l.args[2], cols = (int) l.args[3];
              if ((unsigned long long) l.grid * l.block < (unsigned long long) rows) return "the grid misses rows";
              std::string bad = extent(l, "x", l.args[0], (unsigned long long) rows * cols * sizeof(float));
              if (bad.empty()) bad = extent(l, "rowSumSq", l.args[1], rows * sizeof(float));
              if (!bad.empty()) return bad;
              forEachThread(l, [&] { row_sum_squares((const float*) l.args[0], (float*) l.args[1], rows, cols); });
              return "";
          },
          [](const Launch&) { return 0LL; }}},
        {"quantsweep_block_info",
         {{8},
          [](const Launch& l) -> std::string {
              std::string bad = extent(l, "out", l.args[0], 3 * 12 * sizeof(int));
              if (!bad.empty()) return bad;
              forEachThread(l, [&] { quantsweep_block_info((int*) l.args[0]); });
              return "";
          },
          [](const Launch&) { return 0LL; }}},
    };
    return table;
}

struct Module {
    std::string ptx;
    int device;
};

struct Function {
    std::string name;
    const KernelDef* def;
    int device;
};

// ---- Streams: one worker thread each, running its operations in order --------------------------------

struct Stream {
    const int device;
    std::mutex m;
    std::condition_variable changed;
    std::deque<std::function<CUresult()>> queue;
    bool busy = false, stop = false;
    CUresult error = SUCCESS;
    std::thread worker{[this] { work(); }};

    explicit Stream(int d) : device(d) {
    }

    void work() {
        std::unique_lock<std::mutex> lock(m);
        while (true) {
            changed.wait(lock, [this] { return stop || !queue.empty(); });
            if (queue.empty()) return;
            auto op = std::move(queue.front());
            queue.pop_front();
            busy = true;
            lock.unlock();
            CUresult r = op();
            lock.lock();
            busy = false;
            if (r != SUCCESS && error == SUCCESS) error = r;
            changed.notify_all();
        }
    }

    void enqueue(std::function<CUresult()> op) {
        std::lock_guard<std::mutex> lock(m);
        queue.push_back(std::move(op));
        changed.notify_all();
    }

    CUresult synchronize() {
        std::unique_lock<std::mutex> lock(m);
        changed.wait(lock, [this] { return queue.empty() && !busy; });
        return error;
    }

    ~Stream() {
        {
            std::lock_guard<std::mutex> lock(m);
            stop = true;
            changed.notify_all();
        }
        worker.join();
    }
};

CUresult fail(int device, CUresult sticky, const std::string& message) {
    complain("device %d: %s", device, message.c_str());
    std::lock_guard<std::mutex> lock(mutex);
    if (stickyError[device] == SUCCESS) stickyError[device] = sticky;
    return sticky;
}

// A stream the current context may use: its own.
bool ownStream(void* stream) {
    return stream != nullptr && static_cast<Stream*>(stream)->device == currentDevice;
}

// The launches a fault-injection variable (KERNEL:COLUMNS) names.
struct LaunchMatch {
    std::string kernel;
    long long columns = -1;

    explicit LaunchMatch(const char* variable) {
        const char* spec = getenv(variable);
        const char* colon = spec != nullptr ? strchr(spec, ':') : nullptr;
        if (colon != nullptr) {
            kernel.assign(spec, colon - spec);
            columns = atoll(colon + 1);
        }
    }
};

const LaunchMatch& refusal() {
    static const LaunchMatch m("QUANTSWEEP_CUDA_EMULATOR_REFUSE");
    return m;
}

const LaunchMatch& fault() {
    static const LaunchMatch m("QUANTSWEEP_CUDA_EMULATOR_FAULT");
    return m;
}

// Appends a launch to QUANTSWEEP_CUDA_EMULATOR_LOG, when it is set.
void logLaunch(int device, const std::string& kernel) {
    static FILE* log = [] {
        const char* path = getenv("QUANTSWEEP_CUDA_EMULATOR_LOG");
        return path != nullptr ? fopen(path, "a") : nullptr;
    }();
    if (log != nullptr) {
        std::lock_guard<std::mutex> lock(mutex);
        fprintf(log, "pid %d device %d %s\n", (int) getpid(), device, kernel.c_str());
        fflush(log);
    }
}

CUresult copyAsync(void* stream, void* dst, const void* src, size_t bytes, uintptr_t devicePointer) {
    CUresult r = ready();
    if (r != SUCCESS) return r;
    if (!ownStream(stream)) return INVALID_HANDLE;  // the launcher always uses streams of its own
    if (!onDevice(devicePointer, bytes, currentDevice)) {
        complain("a copy of %zu bytes at device address 0x%llx leaves its allocation on device %d", bytes,
                 (unsigned long long) devicePointer, currentDevice);
        return INVALID_VALUE;
    }
    static_cast<Stream*>(stream)->enqueue([=] {
        memcpy(dst, src, bytes);
        return SUCCESS;
    });
    return SUCCESS;
}

// The sizes of an .entry's parameters as the PTX declares them (".param .u64 name,"), from its "(" to ")":
// what the launcher's kernelParams must point at, one by one.
std::vector<size_t> ptxParamSizes(const std::string& ptx, size_t entry) {
    std::vector<size_t> sizes;
    size_t end = ptx.find(')', entry);
    for (size_t at = ptx.find(".param .", entry); at < end; at = ptx.find(".param .", at + 1)) {
        size_t bits = strtoul(ptx.c_str() + at + strlen(".param .") + 1, nullptr, 10);  // .u64 .b32 .f32 ...
        sizes.push_back(bits / 8);
    }
    return sizes;
}

std::string join(const std::vector<size_t>& sizes) {
    std::string s;
    for (size_t n : sizes) s += (s.empty() ? "" : ",") + std::to_string(n);
    return s;
}

}  // namespace

// ---- The driver API ----------------------------------------------------------------------------------

API CUresult cuInit(unsigned int flags) {
    if (flags != 0) return INVALID_VALUE;
    std::lock_guard<std::mutex> lock(mutex);
    initialized = true;
    return SUCCESS;
}

API CUresult cuDriverGetVersion(int* version) {
    if (version == nullptr) return INVALID_VALUE;
    *version = DRIVER_VERSION;
    return SUCCESS;
}

API CUresult cuGetErrorName(CUresult error, const char** name) {
    if (name == nullptr) return INVALID_VALUE;
    *name = errorName(error);
    return *name != nullptr ? SUCCESS : INVALID_VALUE;
}

API CUresult cuDeviceGetCount(int* count) {
    if (!initialized) return NOT_INITIALIZED;
    *count = deviceCount();
    return SUCCESS;
}

API CUresult cuDeviceGet(int* device, int ordinal) {
    if (!initialized) return NOT_INITIALIZED;
    if (device == nullptr) return INVALID_VALUE;
    if (ordinal < 0 || ordinal >= deviceCount()) return INVALID_DEVICE;
    *device = DEVICE_HANDLE_BASE + ordinal;
    return SUCCESS;
}

API CUresult cuDeviceGetAttribute(int* value, int attribute, int device) {
    if (!initialized) return NOT_INITIALIZED;
    if (ordinalOf(device) < 0) return INVALID_DEVICE;
    switch (attribute) {
        case 75: *value = 9; return SUCCESS;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
        case 76: *value = 0; return SUCCESS;  // ..._MINOR
        default: return INVALID_VALUE;
    }
}

API CUresult cuDeviceGetName(char* name, int length, int device) {
    if (!initialized) return NOT_INITIALIZED;
    if (ordinalOf(device) < 0) return INVALID_DEVICE;
    if (length <= 0) return INVALID_VALUE;
    snprintf(name, length, "QuantSweep CUDA driver emulator (CPU), device %d", ordinalOf(device));
    return SUCCESS;
}

API CUresult cuDevicePrimaryCtxRetain(void** context, int device) {
    if (!initialized) return NOT_INITIALIZED;
    int d = ordinalOf(device);
    if (d < 0) return INVALID_DEVICE;
    std::lock_guard<std::mutex> lock(mutex);
    primaryRetains[d]++;
    *context = &primaryContexts[d];
    return SUCCESS;
}

API CUresult cuDevicePrimaryCtxRelease_v2(int device) {
    if (!initialized) return NOT_INITIALIZED;
    int d = ordinalOf(device);
    if (d < 0) return INVALID_DEVICE;
    std::lock_guard<std::mutex> lock(mutex);
    if (primaryRetains[d] == 0) return INVALID_CONTEXT;
    primaryRetains[d]--;
    return SUCCESS;
}

API CUresult cuDevicePrimaryCtxGetState(int device, unsigned int* flags, int* active) {
    if (!initialized) return NOT_INITIALIZED;
    int d = ordinalOf(device);
    if (d < 0) return INVALID_DEVICE;
    if (flags == nullptr || active == nullptr) return INVALID_VALUE;
    std::lock_guard<std::mutex> lock(mutex);
    *flags = primaryFlags[d];
    *active = primaryRetains[d] > 0;
    return SUCCESS;
}

API CUresult cuDevicePrimaryCtxSetFlags_v2(int device, unsigned int flags) {
    if (!initialized) return NOT_INITIALIZED;
    // scheduling: AUTO 0, SPIN 1, YIELD 2, BLOCKING_SYNC 4, one at a time; nothing else is emulated
    int d = ordinalOf(device);
    if (d < 0) return INVALID_DEVICE;
    if (flags != 0 && flags != 1 && flags != 2 && flags != 4) return INVALID_VALUE;
    std::lock_guard<std::mutex> lock(mutex);
    primaryFlags[d] = flags;
    return SUCCESS;
}

API CUresult cuCtxSetCurrent(void* context) {
    if (!initialized) return NOT_INITIALIZED;
    if (context == nullptr) {
        currentDevice = -1;
        return SUCCESS;
    }
    for (int d = 0; d < deviceCount(); d++) {
        if (context == &primaryContexts[d]) {
            currentDevice = d;
            return SUCCESS;
        }
    }
    return INVALID_CONTEXT;
}

API CUresult cuModuleLoadData(void** module, const void* image) {
    CUresult r = ready();
    if (r != SUCCESS) return r;
    const char* ptx = static_cast<const char*>(image);
    if (strstr(ptx, ".version ") == nullptr || strstr(ptx, ".target ") == nullptr) return INVALID_IMAGE;
    if (currentDevice == jitErrorDevice()) return INVALID_PTX;
    *module = new Module{ptx, currentDevice};
    return SUCCESS;
}

API CUresult cuModuleLoadDataEx(void** module, const void* image, unsigned options, const int* option, void** values) {
    char* log = nullptr;
    int logSize = -1;
    for (unsigned i = 0; i < options; i++) {
        if (option[i] == JIT_ERROR_LOG_BUFFER) log = static_cast<char*>(values[i]);
        if (option[i] == JIT_ERROR_LOG_BUFFER_SIZE_BYTES) logSize = static_cast<int>(i);
    }
    CUresult r = cuModuleLoadData(module, image);
    if (r == INVALID_PTX && log != nullptr && logSize >= 0) {
        size_t capacity = reinterpret_cast<size_t>(values[logSize]);
        int written = snprintf(log, capacity, "ptxas application ptx input, line 1; fatal   : emulated JIT failure on "
                               "device %d", currentDevice);
        values[logSize] = reinterpret_cast<void*>(static_cast<size_t>(written < 0 ? 0 : written));
    }
    return r;
}

API CUresult cuModuleUnload(void* module) {
    if (!initialized) return NOT_INITIALIZED;
    if (module == nullptr) return INVALID_HANDLE;
    delete static_cast<Module*>(module);
    return SUCCESS;
}

API CUresult cuModuleGetFunction(void** function, void* module, const char* name) {
    CUresult r = ready();
    if (r != SUCCESS) return r;
    const Module& m = *static_cast<Module*>(module);
    if (m.device != currentDevice) return INVALID_HANDLE;
    const std::string& ptx = m.ptx;
    auto def = kernels().find(name);
    size_t entry = ptx.find(std::string(".entry ") + name + "(");
    if (entry == std::string::npos || def == kernels().end()) {
        return NOT_FOUND;
    }
    std::vector<size_t> declared = ptxParamSizes(ptx, entry);
    if (declared != def->second.argSizes) {
        complain("%s: the PTX declares parameters of %s bytes, the emulator reads %s", name, join(declared).c_str(),
                 join(def->second.argSizes).c_str());
        return INVALID_IMAGE;
    }
    *function = new Function{name, &def->second, currentDevice};
    return SUCCESS;
}

API CUresult cuFuncGetAttribute(int* value, int attribute, void* function) {
    if (function == nullptr) return INVALID_HANDLE;
    *value = 0;  // registers, local bytes: nothing was compiled for a GPU
    return attribute >= 0 ? SUCCESS : INVALID_VALUE;
}

API CUresult cuStreamCreate(void** stream, unsigned int flags) {
    CUresult r = ready();
    if (r != SUCCESS) return r;
    *stream = new Stream(currentDevice);
    return SUCCESS;
}

API CUresult cuStreamSynchronize(void* stream) {
    CUresult r = ready();
    if (r != SUCCESS) return r;
    if (!ownStream(stream)) return INVALID_HANDLE;
    return static_cast<Stream*>(stream)->synchronize();
}

API CUresult cuStreamDestroy_v2(void* stream) {
    CUresult r = ready();
    if (r != SUCCESS) return r;
    if (!ownStream(stream)) return INVALID_HANDLE;
    delete static_cast<Stream*>(stream);  // as the driver: pending work completes first
    return SUCCESS;
}

API CUresult cuMemAlloc_v2(unsigned long long* pointer, size_t bytes) {
    CUresult r = ready();
    if (r != SUCCESS) return r;
    if (bytes == 0) return INVALID_VALUE;
    std::lock_guard<std::mutex> lock(mutex);
    if (currentDevice == fullDevice() || bytes > DEVICE_MEMORY - allocatedBytes[currentDevice]) return OUT_OF_MEMORY;
    void* p = malloc(bytes);
    if (p == nullptr) return OUT_OF_MEMORY;
    deviceAllocations[(uintptr_t) p] = {bytes, currentDevice};
    allocatedBytes[currentDevice] += bytes;
    *pointer = (uintptr_t) p;
    return SUCCESS;
}

API CUresult cuMemFree_v2(unsigned long long pointer) {
    CUresult r = ready();
    if (r != SUCCESS) return r;
    std::lock_guard<std::mutex> lock(mutex);
    auto it = deviceAllocations.find((uintptr_t) pointer);
    if (it == deviceAllocations.end() || it->second.device != currentDevice) return INVALID_VALUE;
    allocatedBytes[currentDevice] -= it->second.bytes;
    deviceAllocations.erase(it);
    free((void*) pointer);
    return SUCCESS;
}

API CUresult cuMemAllocHost_v2(void** pointer, size_t bytes) {
    CUresult r = ready();
    if (r != SUCCESS) return r;
    void* p = aligned_alloc(4096, (bytes + 4095) / 4096 * 4096);
    if (p == nullptr) return OUT_OF_MEMORY;
    std::lock_guard<std::mutex> lock(mutex);
    hostAllocations[(uintptr_t) p] = bytes;
    *pointer = p;
    return SUCCESS;
}

API CUresult cuMemFreeHost(void* pointer) {
    CUresult r = ready();
    if (r != SUCCESS) return r;
    std::lock_guard<std::mutex> lock(mutex);
    if (hostAllocations.erase((uintptr_t) pointer) == 0) return INVALID_VALUE;
    free(pointer);
    return SUCCESS;
}

API CUresult cuMemcpyHtoDAsync_v2(unsigned long long dst, const void* src, size_t bytes, void* stream) {
    return copyAsync(stream, (void*) dst, src, bytes, (uintptr_t) dst);
}

API CUresult cuMemcpyDtoHAsync_v2(void* dst, unsigned long long src, size_t bytes, void* stream) {
    return copyAsync(stream, dst, (const void*) src, bytes, (uintptr_t) src);
}

API CUresult cuLaunchKernel(void* function, unsigned gridX, unsigned gridY, unsigned gridZ, unsigned blockX,
                            unsigned blockY, unsigned blockZ, unsigned sharedBytes, void* stream, void** params,
                            void** extra) {
    CUresult r = ready();
    if (r != SUCCESS) return r;
    if (function == nullptr || !ownStream(stream) || static_cast<Function*>(function)->device != currentDevice) {
        return INVALID_HANDLE;
    }
    if (gridX == 0 || blockX == 0 || blockX > 1024 || gridY != 1 || gridZ != 1 || blockY != 1 || blockZ != 1
        || params == nullptr || extra != nullptr) {
        return INVALID_VALUE;
    }
    const Function& f = *static_cast<Function*>(function);
    Launch launch{currentDevice, gridX, blockX, {}};
    for (size_t i = 0; i < f.def->argSizes.size(); i++) {
        unsigned long long v = 0;
        memcpy(&v, params[i], f.def->argSizes[i]);
        launch.args.push_back(v);
    }
    long long columns = f.def->columns(launch);
    if (refusal().kernel == f.name && refusal().columns == columns) {
        complain("refusing %s over rows of %lld columns, as QUANTSWEEP_CUDA_EMULATOR_REFUSE asks", f.name.c_str(),
                 columns);
        return LAUNCH_OUT_OF_RESOURCES;
    }
    bool faults = fault().kernel == f.name && fault().columns == columns;
    std::string name = f.name;
    logLaunch(currentDevice, name);
    static_cast<Stream*>(stream)->enqueue([name, launch, faults, def = f.def]() -> CUresult {
        std::string bad = faults ? "faulting, as QUANTSWEEP_CUDA_EMULATOR_FAULT asks" : def->run(launch);
        return bad.empty() ? SUCCESS : fail(launch.device, ILLEGAL_ADDRESS, name + ": " + bad);
    });
    return SUCCESS;
}
