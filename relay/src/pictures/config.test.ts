import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config';

const production = { VANTIO_API_URL: 'https://vantio.app', VANTIO_SECRET_KEY: 'sk_live_x' };
const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

describe('RELAY_PUBLIC_URL and RELAY_PICTURES', () => {
  it('turns pictures on in sandbox mode and off in production by default', () => {
    expect(loadConfig({})).toMatchObject({ pictures: true, publicUrl: undefined });
    expect(loadConfig(production)).toMatchObject({ pictures: false, publicUrl: undefined });
  });

  it('needs RELAY_PUBLIC_URL when pictures are on in production', () => {
    expect(problems({ ...production, RELAY_PICTURES: 'true' })).toEqual([
      'RELAY_PUBLIC_URL: is required when RELAY_PICTURES is on',
    ]);
    const config = loadConfig({ ...production, RELAY_PICTURES: 'true', RELAY_PUBLIC_URL: 'https://relay.example.edu/' });
    expect(config).toMatchObject({ pictures: true, publicUrl: 'https://relay.example.edu' });
  });

  it('refuses a public URL that is not https (except localhost), has a query, or is not a URL', () => {
    expect(problems({ ...production, RELAY_PUBLIC_URL: 'http://relay.example.edu' })).toEqual([
      'RELAY_PUBLIC_URL: must be https (http only for localhost)',
    ]);
    expect(problems({ ...production, RELAY_PUBLIC_URL: 'https://relay.example.edu/?x=1' })).toHaveLength(1);
    expect(problems({ RELAY_PUBLIC_URL: 'relay' })).toHaveLength(1);
    expect(problems({ RELAY_PICTURES: 'maybe' })).toEqual(['RELAY_PICTURES: must be true or false']);
    expect(loadConfig({ RELAY_PUBLIC_URL: 'http://127.0.0.1:8787' }).publicUrl).toBe('http://127.0.0.1:8787');
  });
});
