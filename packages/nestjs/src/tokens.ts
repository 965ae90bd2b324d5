/** The injection token of the module's options (`WimseModule.forRoot(options)`). */
export const WIMSE_OPTIONS = Symbol('@wimse-pep/nestjs.options');
/** The injection token of the Node PEP the module builds once from its options. */
export const WIMSE_PEP = Symbol('@wimse-pep/nestjs.pep');

/** Metadata keys of the decorators (a controller's or a handler's). */
export const WIMSE_MODE_METADATA = '@wimse-pep/nestjs:mode';
export const WIMSE_POLICY_METADATA = '@wimse-pep/nestjs:policy';
/** What the module resolved for one route handler (copied by Nest onto the handler it registers). */
export const WIMSE_ROUTE_METADATA = '@wimse-pep/nestjs:route';
