import type { ProviderCatalog } from "./read-catalog.ts";

/**
 * A check of what a provider lists before anything else sees it (tool pinning, docs/pinning.md): it
 * returns the part of the listing that may be served. `CatalogFollower` keeps the listing as given and
 * serves only what the review lets through, and reviews it again when `onRevised` says the outcome may
 * have changed (changes were approved).
 */
export interface CatalogReview {
  /** What of `listed` may be served now (the listing itself when nothing is held back). */
  review(providerId: string, listed: ProviderCatalog): ProviderCatalog;
  /** Calls `listener` whenever a review may come out differently; returns a function that stops it. */
  onRevised(listener: () => void): () => void;
}
