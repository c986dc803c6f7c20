/**
 * Think-Ahead: an offline job runs the reasoner and stores each user's SID prefixes
 * ({@link io.onerec.api.thinkahead.PrefixStore}); online, {@link io.onerec.api.thinkahead.ThinkAheadGenerator}
 * decodes only under them.
 *
 * <p>Audience: host applications. Contract: backend-independent; works over any {@code Generator} and
 * {@code Reasoner}.
 */
package io.onerec.api.thinkahead;
