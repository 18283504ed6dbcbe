/** The registry tests' seeded generator, for suites that drive random traffic (the same seed, the same run). */
export { seededRandom } from '@presently/presence-core/testing';
