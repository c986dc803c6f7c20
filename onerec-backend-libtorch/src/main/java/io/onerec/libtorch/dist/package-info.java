/**
 * Data-parallel training on PyTorch's c10d through the bytedeco bindings: {@link io.onerec.libtorch.dist.DataParallelGroup}
 * (Gloo process group, FileStore or TCPStore rendezvous), used by
 * {@link io.onerec.libtorch.generator.GeneratorTrainer#withDataParallel}.
 *
 * <p>Audience: training programs (launch with {@code scripts/train-data-parallel.sh}).
 */
package io.onerec.libtorch.dist;
