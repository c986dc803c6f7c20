/**
 * Data-set readers (RecBole atomic files, Amazon reviews and metadata), interaction sequences and the leave-one-out
 * split; {@link io.onerec.tools.data.Datasets} locates the shared data sets. A sequence file too large for the heap is
 * read user by user with {@link io.onerec.tools.data.AmazonSequenceStream} through an
 * {@link io.onerec.tools.data.ItemIndex}.
 *
 * <p>Audience: research tooling, examples, tests, trainers. Not needed to serve recommendations. Contract: malformed
 * files fail with {@link io.onerec.api.DataFileException} naming file and line.
 */
package io.onerec.tools.data;
