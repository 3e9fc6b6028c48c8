package io.quantsweep.format.imatrix;

/** The two importance-matrix file formats of llama.cpp (spec §4.2). */
public enum ImatrixFormat {
    /** A GGUF v3 file with {@code general.type = "imatrix"}: raw sums and per-matrix counts (the default since mid-2025). */
    GGUF,
    /** The legacy binary {@code .dat}: mean squares scaled by {@code ncall}, no magic, no per-expert counts. */
    DAT;

    /** The format llama-imatrix writes for a file name: GGUF for {@code *.gguf}, else the legacy format. */
    public static ImatrixFormat forFileName(String fileName) {
        return fileName.endsWith(".gguf") ? GGUF : DAT;
    }
}
