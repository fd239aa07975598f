import { DjangoStaticFilesOptions, WsgiApiStaticFilesOptions } from './types';

/**
 * Ready-made `staticFiles` for common frameworks.
 */
export class StaticFiles {
  /**
   * The files Django's `collectstatic` gathers with the app's own settings, run at synth, served under the app's
   * `STATIC_URL`; with hashed storage, the manifest ships with the function. See `DjangoStaticFilesOptions`.
   *
   * @example new WsgiApi(this, 'Site', { entry: './app', module: 'mysite.wsgi.application', staticFiles: StaticFiles.django() })
   */
  public static django(options: DjangoStaticFilesOptions = {}): WsgiApiStaticFilesOptions {
    return { django: options };
  }

  private constructor() {}
}
