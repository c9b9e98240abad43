import { verifyTc3 } from '@postmill/tc3';
import { describe, expect, it } from 'vitest';
import { type SignedRequest, sendEmailRequests } from './send-email-requests.ts';

const target = { host: '127.0.0.1:8080', secretId: 'AKIDload', secretKey: 'secret', from: 'bench@load.example.com', templateId: 7, runTag: 'abcd' };
const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
const verify = (r: SignedRequest) =>
  verifyTc3(
    { method: 'POST', headers: lower(r.headers), body: Buffer.from(r.body) },
    { lookupSecret: (id) => (id === 'AKIDload' ? 'secret' : undefined), nowSeconds: Math.floor(Date.now() / 1000) },
  );

describe('sendEmailRequests', () => {
  it('gives distinct, validly signed SendEmail requests, pre-signed first and then signed on demand', () => {
    const requests = sendEmailRequests(target);
    requests.presign(3);
    const sent = Array.from({ length: 5 }, () => requests.next());
    expect(requests.signedOnTheFly).toBe(2);
    expect(new Set(sent.map((r) => r.body)).size).toBe(5);
    expect(new Set(sent.map((r) => r.headers.Authorization)).size).toBe(5);
    for (const r of sent) {
      expect(verify(r).ok).toBe(true);
      expect(r.headers['X-TC-Action']).toBe('SendEmail');
      const body = JSON.parse(r.body) as { FromEmailAddress: string; Destination: string[]; Template: { TemplateID: number; TemplateData: string } };
      expect(body.FromEmailAddress).toBe('bench@load.example.com');
      expect(body.Destination).toHaveLength(1);
      expect(body.Template.TemplateID).toBe(7);
      expect(JSON.parse(body.Template.TemplateData)).toHaveProperty('n');
    }
  });

  it('never sends a request left over from an earlier pre-signed pool twice', () => {
    const requests = sendEmailRequests(target);
    requests.presign(4);
    const first = requests.next();
    requests.presign(2);
    const rest = [requests.next(), requests.next(), requests.next()];
    expect(new Set([first, ...rest].map((r) => r.body)).size).toBe(4);
  });
});
