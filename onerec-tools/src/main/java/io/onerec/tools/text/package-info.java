/**
 * Text encoders for item content ({@link io.onerec.tools.text.TextEncoder}): a sentence-transformer run by ONNX Runtime
 * ({@link io.onerec.tools.text.OnnxSentenceEncoder}, all-MiniLM-L6-v2 from a Maven artifact), the content half of
 * {@link io.onerec.tools.embed.ItemEmbeddingBuilder}'s embeddings when item text is richer than LSA can use. Its
 * dependencies (ONNX Runtime, DJL tokenizers, the model jar) are optional in onerec-tools: add them to use it.
 *
 * <p>Audience: research tooling and training programs.
 */
package io.onerec.tools.text;
