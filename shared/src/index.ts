export * from './rules';
export * from './schemas';
export * from './idempotency';
export * from './vantio-client';
export * from './pages';
