package io.onerec.api;

import java.util.List;

/**
 * One sampled reasoning path of the reasoner: the rationale text and the SID prefixes that the beam search
 * after it kept, best first.
 */
public record ReasoningPath(String rationale, List<SemanticId> prefixes, double logProb) {
    public ReasoningPath {
        prefixes = List.copyOf(prefixes);
    }
}
