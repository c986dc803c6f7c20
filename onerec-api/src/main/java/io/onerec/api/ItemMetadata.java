package io.onerec.api;

/**
 * Side information per dense item: a title (empty when the source has none) and attribute ids (Amazon
 * category/brand ids, MovieLens genres). Used for text content embeddings and attribute-aware codecs.
 *
 * <p>Immutable; accessors return copies.
 */
public final class ItemMetadata {
    private final String[] titles;
    private final int[][] attributes;
    private final String[] attributeNames;
    private final String[] externalIds;
    private final int attributeCount;

    /**
     * @param attributeNames name of each attribute id, or null when the source only has ids (then the count is
     *                       max id + 1 and names are the ids as text)
     */
    public ItemMetadata(String[] titles, int[][] attributes, String[] attributeNames) {
        this(titles, attributes, attributeNames, null);
    }

    /**
     * @param externalIds an external id per item (e.g. the Amazon ASIN), or null
     */
    public ItemMetadata(String[] titles, int[][] attributes, String[] attributeNames, String[] externalIds) {
        if (titles.length != attributes.length) {
            throw new IllegalArgumentException(titles.length + " titles but " + attributes.length + " attribute rows");
        }
        if (externalIds != null && externalIds.length != titles.length) {
            throw new IllegalArgumentException(titles.length + " titles but " + externalIds.length + " external ids");
        }
        int maxId = -1;
        this.titles = new String[titles.length];
        this.attributes = new int[attributes.length][];
        for (int i = 0; i < titles.length; i++) {
            this.titles[i] = titles[i] == null ? "" : titles[i];
            this.attributes[i] = attributes[i] == null ? new int[0] : attributes[i].clone();
            for (int a : this.attributes[i]) {
                if (a < 0) throw new IllegalArgumentException("item " + i + " has negative attribute id " + a);
                maxId = Math.max(maxId, a);
            }
        }
        if (attributeNames != null && maxId >= attributeNames.length) {
            throw new IllegalArgumentException("attribute id " + maxId + " has no name (" + attributeNames.length + " names)");
        }
        this.attributeNames = attributeNames == null ? null : attributeNames.clone();
        this.attributeCount = attributeNames != null ? attributeNames.length : maxId + 1;
        this.externalIds = externalIds == null ? null : externalIds.clone();
    }

    public int itemCount() {
        return titles.length;
    }

    /** The item's title, "" when unknown. */
    public String title(int item) {
        return titles[item];
    }

    public int[] attributes(int item) {
        return attributes[item].clone();
    }

    /** Attribute ids range over {@code 0..attributeCount()-1}. */
    public int attributeCount() {
        return attributeCount;
    }

    public String attributeName(int attribute) {
        if (attribute < 0 || attribute >= attributeCount) {
            throw new IllegalArgumentException("attribute " + attribute + " outside [0, " + attributeCount + ")");
        }
        return attributeNames != null ? attributeNames[attribute] : Integer.toString(attribute);
    }

    /** External id such as the Amazon ASIN; throws when the source has none. */
    public String externalId(int item) {
        if (externalIds == null) {
            throw new IllegalStateException("these items have no external ids");
        }
        return externalIds[item];
    }

    public boolean hasExternalIds() {
        return externalIds != null;
    }
}
