package io.quantsweep.gpu;

import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_ASSERT;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_ECC_UNCORRECTABLE;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_HARDWARE_STACK_ERROR;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_ILLEGAL_ADDRESS;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_ILLEGAL_INSTRUCTION;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_INVALID_ADDRESS_SPACE;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_INVALID_CONTEXT;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_INVALID_PC;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_INVALID_VALUE;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_LAUNCH_FAILED;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_LAUNCH_TIMEOUT;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_MISALIGNED_ADDRESS;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_NOT_FOUND;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_OUT_OF_MEMORY;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The driver errors after which every call in the context fails (the CUDA driver API's documentation of
 * each code), and so retire the device; the others fail one call and leave the context usable.
 */
class LostContextCodesTest {
    @Test
    void stickyErrorsLoseTheContextAndOthersDoNot() {
        for (int code : new int[] {CUDA_ERROR_ILLEGAL_ADDRESS, CUDA_ERROR_LAUNCH_TIMEOUT, CUDA_ERROR_ASSERT,
            CUDA_ERROR_HARDWARE_STACK_ERROR, CUDA_ERROR_ILLEGAL_INSTRUCTION, CUDA_ERROR_MISALIGNED_ADDRESS,
            CUDA_ERROR_INVALID_ADDRESS_SPACE, CUDA_ERROR_INVALID_PC, CUDA_ERROR_LAUNCH_FAILED,
            CUDA_ERROR_ECC_UNCORRECTABLE, CUDA_ERROR_UNKNOWN}) {
            assertTrue(CudaKernels.losesContext(code), "code " + code);
        }
        for (int code : new int[] {CUDA_ERROR_INVALID_VALUE, CUDA_ERROR_OUT_OF_MEMORY, CUDA_ERROR_INVALID_CONTEXT,
            CUDA_ERROR_NOT_FOUND, CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE}) {
            assertFalse(CudaKernels.losesContext(code), "code " + code);
        }
    }
}
