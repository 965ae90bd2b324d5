/** The signature algorithm table lives in base/algorithms/, where both runtime backends read it. */
export * from '../algorithms/signature-algorithms.js';
