// Loads each GGUF with llama.cpp (node-llama-cpp's prebuilt CPU build), checks that tokenizing and
// detokenizing a probe text gives it back, and generates a few tokens greedily.
// Usage: node llama_run.mjs FILE.gguf...   Exit 1 when a file does not load, round-trip or generate.
import {getLlama, LlamaCompletion, LlamaLogLevel} from "node-llama-cpp";

const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error});
const probe = "The model weight\nand 123 tensors";
let failed = 0;
for (const file of process.argv.slice(2)) {
    try {
        const model = await llama.loadModel({modelPath: file});
        const back = model.detokenize(model.tokenize(probe));
        const context = await model.createContext({contextSize: 256});
        const completion = new LlamaCompletion({contextSequence: context.getSequence()});
        const text = await completion.generateCompletion(probe, {maxTokens: 8, temperature: 0});
        const ok = back === probe && text.length > 0;
        console.log(`${file}: ${model.fileInfo.metadata.general.architecture}, round trip ${back === probe}, generated ${JSON.stringify(text)}`);
        if (!ok) failed++;
        await context.dispose();
        await model.dispose();
    } catch (e) {
        console.log(`${file}: FAILED ${e.message}`);
        failed++;
    }
}
process.exit(failed ? 1 : 0);
