import { describe, expect, it } from 'vitest';
import { creditCodeCheckChar, isValidCreditCode, normaliseCreditCode } from '../../src/lib/credit-code.ts';

describe('unified social credit code (GB 32100)', () => {
  it('accepts real codes of registered companies', () => {
    expect(isValidCreditCode('914403001922038216')).toBe(true); // 华为技术有限公司
    expect(isValidCreditCode('91440300708461136T')).toBe(true); // 深圳市腾讯计算机系统有限公司
    expect(isValidCreditCode('91330100716105852F')).toBe(true); // 阿里巴巴（中国）有限公司
    expect(isValidCreditCode('91110108551385082Q')).toBe(true); // 小米科技有限责任公司
  });

  it('computes the check character by hand-checked weights', () => {
    // 华为: Σ Ci·Wi over 91440300192203821 = 831; 831 mod 31 = 25; 31 − 25 = 6 → '6'.
    expect(creditCodeCheckChar('91440300192203821')).toBe('6');
    // 腾讯: Σ = 966; 966 mod 31 = 5; 31 − 5 = 26 → the 27th symbol of 0–9 A–H J–N P–R T U W–Y, 'T'.
    expect(creditCodeCheckChar('91440300708461136')).toBe('T');
    // A remainder of 0 gives 31 − 0 = 31, written as 0.
    expect(creditCodeCheckChar('00000000000000000')).toBe('0');
  });

  it('refuses a wrong check character, a wrong length and letters outside the alphabet', () => {
    expect(isValidCreditCode('914403001922038217')).toBe(false); // last character changed
    expect(isValidCreditCode('91440300708461136X')).toBe(false);
    expect(isValidCreditCode('91440300192203821')).toBe(false); // 17 characters
    expect(isValidCreditCode('9144030019220382166')).toBe(false); // 19
    expect(isValidCreditCode('91440300I92203821O')).toBe(false); // I and O are not used
    expect(isValidCreditCode('9144A300192203821')).toBe(false); // region code must be digits
    expect(isValidCreditCode('91440300708461136t')).toBe(false); // not normalised
  });

  it('normalises pasted input', () => {
    expect(normaliseCreditCode(' 9144 0300-7084 6113 6t ')).toBe('91440300708461136T');
    expect(isValidCreditCode(normaliseCreditCode('91440300708461136t'))).toBe(true);
  });
});
