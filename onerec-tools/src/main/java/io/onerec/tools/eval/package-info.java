/**
 * Offline evaluation: ranking metrics (Recall@K, NDCG@K), the evaluator over a leave-one-out split, and baselines.
 *
 * <p>Audience: research tooling, examples and trainers (validation). Contract: metrics follow RecBole's
 * definitions so numbers compare with published tables.
 */
package io.onerec.tools.eval;
