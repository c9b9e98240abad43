import { loadConfigOrExit } from '@postmill/config';

/** This app's configuration, parsed once from the environment (exits listing every problem when invalid). */
export const loadConfig = () => loadConfigOrExit(process.env);
