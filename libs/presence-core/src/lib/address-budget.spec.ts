import { AddressBudget } from './address-budget';

describe('AddressBudget', () => {
  it('admits an addition up to the limit exactly, and not one byte more', () => {
    const budget = new AddressBudget(1000);
    const account = budget.account('203.0.113.7');
    account.charge(600);
    expect(budget.fits('203.0.113.7', 400)).toBe(true);
    expect(budget.fits('203.0.113.7', 401)).toBe(false);
    account.charge(400);
    expect(budget.fits('203.0.113.7', 1)).toBe(false);
    expect(budget.bytesOf('203.0.113.7')).toBe(1000);
  });

  it('always admits a release or nothing, even over the limit', () => {
    const budget = new AddressBudget(10);
    budget.account('a').charge(50);
    expect(budget.fits('a', 0)).toBe(true);
    expect(budget.fits('a', -20)).toBe(true);
    expect(budget.fits('a', 1)).toBe(false);
  });

  it('keeps addresses apart, and sums them in the total', () => {
    const budget = new AddressBudget(100);
    budget.account('a').charge(100);
    budget.account('b').charge(30);
    expect(budget.fits('a', 1)).toBe(false);
    expect(budget.fits('b', 70)).toBe(true);
    expect(budget.total).toBe(130);
    expect(budget.addresses).toBe(2);
  });

  it('sums the accounts of one address, each knowing its own bytes', () => {
    const budget = new AddressBudget(0);
    const first = budget.account('a');
    const second = budget.account('a');
    first.charge(10);
    second.charge(32);
    expect([first.bytes, second.bytes, budget.bytesOf('a')]).toEqual([10, 32, 42]);
    expect(first.address).toBe('a');
  });

  it('forgets an address whose total comes back to 0', () => {
    const budget = new AddressBudget(100);
    const account = budget.account('a');
    account.charge(70);
    account.charge(-30);
    account.charge(-40);
    expect(budget.bytesOf('a')).toBe(0);
    expect(budget.addresses).toBe(0);
    expect(budget.total).toBe(0);
  });

  it('has no limit when the maximum is 0, and still counts', () => {
    const budget = new AddressBudget(0);
    budget.account('a').charge(1e9);
    expect(budget.fits('a', 1e9)).toBe(true);
    expect(budget.total).toBe(1e9);
  });
});
