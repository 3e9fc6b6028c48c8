package io.quantsweep.arch;

/**
 * What QuantSweep knows about one Hugging Face model class: its GGUF architecture name, how its
 * {@code config.json} maps to GGUF metadata and tensors, and which llama.cpp pre-tokenizer its
 * tokenizer uses. Implementations are registered in {@link Architectures}.
 */
public interface Architecture {
    /** {@code general.architecture}, e.g. {@code deepseek2}. */
    String ggufName();

    /** {@code tokenizer.ggml.pre}: the llama.cpp pre-tokenizer of the model's tokenizer. */
    String tokenizerPre();

    /**
     * The GGUF this config converts to, from the config alone.
     *
     * @throws ModelMappingException for a missing key or a value the mapping cannot handle
     */
    ModelMapping map(HfConfig config, MlaLayout layout);
}
